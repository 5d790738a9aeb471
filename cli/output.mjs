// @ts-check
// Printing: tables, JSON, YAML; colour only on a TTY (and never with NO_COLOR).
import { stringify } from "yaml";

const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (/** @type {string} */ code) => (/** @type {string} */ text) =>
  useColor() ? `\u001b[${code}m${text}\u001b[0m` : text;
export const green = paint("32");
export const red = paint("31");
export const yellow = paint("33");
export const bold = paint("1");
export const dim = paint("2");

const statusColors = {
  submitted: green,
  approved: green,
  delivered: green,
  created: green,
  failed: red,
  rejected: red,
  partially_failed: red,
  timed_out: red,
  pending: yellow,
  held: yellow,
  configured: yellow,
};

/** @param {string} value */
export function colorStatus(value) {
  const color = statusColors[/** @type {keyof typeof statusColors} */ (value)];
  return color ? color(value) : value;
}

/**
 * Prints rows as an aligned table.
 * @param {string[]} headers
 * @param {Array<Array<string | number | null | undefined>>} rows
 * @param {{ headers: boolean }} [options] `--no-headers` leaves the header line out
 */
export function printTable(headers, rows, options = { headers: true }) {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? "" : String(cell))));
  const esc = String.fromCharCode(27);
  const strip = (/** @type {string} */ text) =>
    text
      .split(esc)
      .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, "")))
      .join("");
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => strip(row[i] ?? "").length)));
  const line = (/** @type {string[]} */ row) =>
    row
      .map((cell, i) =>
        i === row.length - 1 ? cell : cell + " ".repeat(Math.max(0, (widths[i] ?? 0) - strip(cell).length)),
      )
      .join("   ");
  if (options.headers) console.log(bold(line(headers.map((header) => header.toUpperCase()))));
  for (const row of cells) console.log(line(row));
}

/**
 * Prints a value in the requested format (json / yaml).
 * @param {unknown} value
 * @param {string} format
 */
export function printData(value, format) {
  if (format === "json") console.log(JSON.stringify(value, null, 2));
  else console.log(stringify(value).trimEnd());
}
