// Reads an Arrow IPC stream (a file path as the first argument) with the apache-arrow npm package and
// prints one JSON object per row: every value as text the test compares with the result's JSON lines.
// Types: whole numbers and decimals as exact decimal text, floats as JavaScript prints them, dates as
// yyyy-mm-dd, timestamps as the stored microseconds since the epoch, booleans and text as they are.
import { readFileSync } from 'node:fs';
import { tableFromIPC, Type } from 'apache-arrow';

const table = tableFromIPC(readFileSync(process.argv[2]));

function decimalText(words, scale) {
  // decimal128: a 128-bit two's complement integer, little-endian 32-bit words.
  let value = 0n;
  for (let i = words.length - 1; i >= 0; i--) value = (value << 32n) | BigInt(words[i] >>> 0);
  if (value >= 1n << 127n) value -= 1n << 128n;
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  if (scale > 0) digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  return (negative ? '-' : '') + digits;
}

function text(field, vector, row) {
  const value = vector.get(row);
  if (value === null || value === undefined) return null;
  switch (field.type.typeId) {
    case Type.Int: return value.toString();
    case Type.Decimal: return decimalText(value, field.type.scale);
    case Type.Float: return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
    case Type.Date: return new Date(Number(value)).toISOString().slice(0, 10);
    case Type.Timestamp: { const data = vector.data[0]; return data.values[data.offset + row].toString(); }
    case Type.Bool: return value ? 'true' : 'false';
    default: return String(value);
  }
}

const fields = table.schema.fields;
const out = [];
out.push(JSON.stringify({ schema: fields.map(f => ({ name: f.name, type: String(f.type), zone: f.type.timezone ?? null })), batches: table.batches.map(b => b.numRows) }));
for (const batch of table.batches) {
  const vectors = fields.map((_, i) => batch.getChildAt(i));
  for (let row = 0; row < batch.numRows; row++) {
    const values = {};
    fields.forEach((field, i) => { values[field.name] = text(field, vectors[i], row); });
    out.push(JSON.stringify(values));
  }
}
process.stdout.write(out.join('\n') + '\n');
