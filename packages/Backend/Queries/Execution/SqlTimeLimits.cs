using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Queries.History;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>The time limit of a query's warehouse statement: the project's (or the backend's), or the request's when lower.</summary>
public static class SqlTimeLimits
{
    /// <summary>The limit that applies to <paramref name="query"/> on <paramref name="project"/>.</summary>
    public static TimeSpan For(Project project, QueryHistoryRecord query, QueryExecutionOptions options)
    {
        var limit = project.StatementTimeout ?? options.StatementTimeout;
        return query.StatementTimeoutMs is { } requested && TimeSpan.FromMilliseconds(requested) < limit
            ? TimeSpan.FromMilliseconds(requested)
            : limit;
    }
}
