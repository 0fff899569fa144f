using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>What the results store needs to know of a finished query: where its rows are stored, or how to fetch them again.</summary>
/// <param name="QueryUuid">The query (for messages).</param>
/// <param name="ProjectUuid">Its project (whose warehouse re-fetches pages when nothing is stored).</param>
/// <param name="CompiledSql">The SQL it ran.</param>
/// <param name="RowLimit">Its row limit, or null.</param>
/// <param name="ResultsFileName">The key of its stored rows, or null when nothing is stored.</param>
/// <param name="IndexBlockRows">Rows per block of the stored rows' index.</param>
/// <param name="TotalRowCount">How many rows it has.</param>
/// <param name="Columns">Its columns, in order.</param>
/// <param name="Parameters">Values bound to its SQL's placeholders (for a re-fetch), or null.</param>
/// <param name="UserUuid">Who ran it: a re-fetch runs with their warehouse login where the project requires one.</param>
public sealed record ResultSource(
    Guid QueryUuid,
    Guid ProjectUuid,
    string CompiledSql,
    long? RowLimit,
    string? ResultsFileName,
    int? IndexBlockRows,
    long? TotalRowCount,
    IReadOnlyList<ResultColumn> Columns,
    IReadOnlyList<object?>? Parameters = null,
    Guid? UserUuid = null);

/// <summary>Where a running query's rows go.</summary>
/// <param name="QueryUuid">The query.</param>
/// <param name="CacheKey">Its results cache key (names the stored object).</param>
/// <param name="OnUploadStarted">Told the key and upload id of a multipart upload as soon as it starts, so that it can be aborted if this process dies.</param>
/// <param name="Progress">Where the writing reports how far it got, when wanted.</param>
public sealed record StoreTarget(Guid QueryUuid, string CacheKey, Func<string, string, CancellationToken, Task> OnUploadStarted, StoreProgress? Progress = null);
