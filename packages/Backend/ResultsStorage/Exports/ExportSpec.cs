using System.Text.Json;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>What to export: a stored result, the format, and how.</summary>
/// <param name="Source">The stored result (its key, columns and row count).</param>
/// <param name="Format">The file format.</param>
/// <param name="Formatter">Turns a column's raw value into its shown text (the "formatted" option), or null for raw values.</param>
/// <param name="RowLimit">At most this many rows (besides the format's own limit), or null.</param>
public sealed record ExportSpec(ResultSource Source, ExportFormat Format, Func<string, JsonElement, string>? Formatter = null, long? RowLimit = null);

/// <summary>What an export wrote.</summary>
/// <param name="Rows">Rows written.</param>
/// <param name="Bytes">The file's size (decoded, as the user saves it).</param>
/// <param name="Truncated">True when rows were left out.</param>
/// <param name="Limit">The limit that left them out (the format's or the request's), or null.</param>
/// <param name="StoredBytes">For a file stored gzip-compressed, its size in storage; null otherwise.</param>
public sealed record ExportOutcome(long Rows, long Bytes, bool Truncated, long? Limit, long? StoredBytes = null);
