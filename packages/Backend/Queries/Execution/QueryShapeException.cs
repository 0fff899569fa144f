using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>The result cannot be stored as rows keyed by column name (for example two columns share a name).</summary>
public sealed class QueryShapeException(string message) : Exception(message)
{
    /// <summary>Rows are JSON objects keyed by column name, so every name must be unique.</summary>
    public static void ThrowIfDuplicateColumns(IReadOnlyList<ResultColumn> columns)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (!seen.Add(column.Reference))
            {
                throw new QueryShapeException($"Column name \"{column.Reference}\" appears more than once in the result; give each column a unique alias.");
            }
        }
    }
}
