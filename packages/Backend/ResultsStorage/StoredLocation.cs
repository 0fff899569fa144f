namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Where a stored result is and how big it is.</summary>
/// <param name="FileName">The results object's key, or null when rows are re-fetched from the warehouse.</param>
/// <param name="RowCount">Rows in the result.</param>
/// <param name="ByteSize">Bytes of the results object (0 without one).</param>
/// <param name="IndexBlockRows">Rows per byte-offset index entry, or null without an index.</param>
public sealed record StoredLocation(string? FileName, long RowCount, long ByteSize, int? IndexBlockRows);
