/** An ISO time as the console shows it: `2026-11-25 21:49:40`. */
export const time = (iso: string) => iso.replace("T", " ").slice(0, 19);
