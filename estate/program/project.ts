/** The project name every estate stack lives in; client references are derived from it. */
export const ESTATE_PROJECT = "pbx-estate";
