/** A duration as every estimate prints it: "45 s", "2 min", "12 min 50 s". */
export const duration = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}` : `${s} s`);
