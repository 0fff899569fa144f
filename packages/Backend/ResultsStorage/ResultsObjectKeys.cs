namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Names of the objects that make up one stored result.</summary>
public static class ResultsObjectKeys
{
    private const string GzipSuffix = ".gz";

    /// <summary>A new, unique key for a result: <c>{prefix}{cacheKey}-{random}.jsonl</c>, plus <c>.gz</c> when compressed.</summary>
    public static string NewResultsKey(string prefix, string cacheKey, ResultsCompression compression) =>
        $"{prefix}{cacheKey}-{Guid.NewGuid():N}.jsonl{(compression == ResultsCompression.Gzip ? GzipSuffix : "")}";

    /// <summary>How the result stored under <paramref name="resultsKey"/> is encoded.</summary>
    public static ResultsCompression CompressionOf(string resultsKey) =>
        resultsKey.EndsWith(GzipSuffix, StringComparison.Ordinal) ? ResultsCompression.Gzip : ResultsCompression.None;

    /// <summary>A new key for an export of a query's results: <c>{prefix}exports/{projectUuid}/{queryUuid}-{random}.{extension}</c>.</summary>
    public static string NewExportKey(string prefix, Guid projectUuid, Guid queryUuid, string extension) =>
        $"{ExportsOf(prefix, projectUuid, queryUuid)}{Guid.NewGuid():N}.{extension}";

    /// <summary>The key prefix of every export of a project's queries, or of one query's when <paramref name="queryUuid"/> is given.</summary>
    public static string ExportsOf(string prefix, Guid projectUuid, Guid? queryUuid = null) =>
        queryUuid is { } query ? $"{prefix}exports/{projectUuid}/{query}-" : $"{prefix}exports/{projectUuid}/";

    /// <summary>The key of the byte-offset index that sits beside a results object.</summary>
    public static string IndexKey(string resultsKey) => resultsKey + ".index";
}
