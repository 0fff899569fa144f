namespace Lightdash.Net.Backend.Clients;

/// <summary>Names of the objects that make up one stored result.</summary>
public static class ResultsObjectKeys
{
    /// <summary>A new, unique key for a result: <c>{prefix}{cacheKey}-{random}.jsonl</c>.</summary>
    public static string NewResultsKey(string prefix, string cacheKey) =>
        $"{prefix}{cacheKey}-{Guid.NewGuid():N}.jsonl";

    /// <summary>A new key for an export of a query's results: <c>{prefix}exports/{queryUuid}-{random}.{extension}</c>.</summary>
    public static string NewExportKey(string prefix, Guid queryUuid, string extension) =>
        $"{prefix}exports/{queryUuid}-{Guid.NewGuid():N}.{extension}";

    /// <summary>The key of the byte-offset index that sits beside a results object.</summary>
    public static string IndexKey(string resultsKey) => resultsKey + ".index";
}
