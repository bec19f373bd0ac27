/** Types for scripts/software-icd.mjs (shared by the host runner, the unit tests and the bench). */
export function lavapipeIcd(): string | undefined;
export function softwareIcdEnv(): { VK_ICD_FILENAMES?: string };
export function ensureLavapipe(): boolean;
