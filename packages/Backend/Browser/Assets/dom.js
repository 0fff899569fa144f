// What every part of the page uses: finding its elements, and counts written for people.

/** The page's element with this id. */
export const $ = id => document.getElementById(id);

/** A count with thousands separators (20,000). */
export const number = n => Number(n).toLocaleString('en-US');
