using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>What a finished query leaves behind: its shape and where its rows are.</summary>
/// <param name="Columns">The result's columns.</param>
/// <param name="TotalRowCount">How many rows.</param>
/// <param name="ResultsFileName">The results object's key.</param>
/// <param name="ByteSize">The results object's size.</param>
/// <param name="IndexBlockRows">Rows per entry of the byte-offset index.</param>
/// <param name="WarehouseExecutionTimeMs">Time from sending the query to its first row.</param>
public sealed record StoredResults(
    IReadOnlyList<ResultColumn> Columns,
    long TotalRowCount,
    string? ResultsFileName,
    long ByteSize,
    int? IndexBlockRows,
    long WarehouseExecutionTimeMs);
