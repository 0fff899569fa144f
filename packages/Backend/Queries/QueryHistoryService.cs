using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries;

/// <summary>Lists the caller's queries in a project, newest first, and shows a query's completion callback.</summary>
public sealed class QueryHistoryService(ProjectAccess access, QueryHistoryStore history, QueryCallbackStore callbacks)
{
    /// <summary>The caller's query's completion callback and its calls; 404 when the query is not the caller's or has no callback.</summary>
    public async Task<QueryCallbackResults> GetCallbackAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var query = await history.GetAsync(projectUuid, queryUuid, user.UserUuid, cancellationToken);
        if (query.CallbackUrl is null)
        {
            throw new NotFoundException($"Query {queryUuid} has no callback.");
        }

        var attempts = await callbacks.AttemptsAsync(queryUuid, cancellationToken);
        return new QueryCallbackResults
        {
            Url = query.CallbackUrl,
            State = query.CallbackState ?? "waiting",
            Attempts = [.. attempts.Select(a => new QueryCallbackAttemptResults
            {
                Attempt = a.Attempt,
                AttemptedAt = Timestamps.Utc(a.AttemptedAt),
                StatusCode = a.StatusCode,
                Error = a.Error,
                DurationMs = a.DurationMs,
            })],
        };
    }

    /// <summary>The largest page of history.</summary>
    public const int MaxPageSize = 100;

    /// <summary>The page size when none is given.</summary>
    public const int DefaultPageSize = 25;

    /// <summary>One page of the history, optionally filtered by status.</summary>
    public async Task<QueryHistoryPage> ListAsync(CurrentUser user, Guid projectUuid, int? page, int? pageSize, IReadOnlyCollection<string>? statuses, CancellationToken cancellationToken)
    {
        var pageNumber = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        if (pageNumber < 1)
        {
            throw new ValidationException($"page must be 1 or more (got {pageNumber}).");
        }

        if (size is < 1 or > MaxPageSize)
        {
            throw new ValidationException($"pageSize must be between 1 and {MaxPageSize} (got {size}).");
        }

        var wanted = new List<QueryStatus>();
        // An empty "status=" binds as a null element: it names no status, so it filters nothing.
        foreach (var name in (statuses ?? []).OfType<string>())
        {
            foreach (var part in name.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                wanted.Add(QueryStatusNames.TryParse(part, out var status)
                    ? status
                    : throw new ValidationException($"status \"{part}\" is not one of {string.Join(", ", Enum.GetValues<QueryStatus>().Select(s => s.ToName()))}."));
            }
        }

        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var (rows, total) = await history.ListAsync(projectUuid, user.UserUuid, wanted, size, (long)(pageNumber - 1) * size, cancellationToken);
        return new QueryHistoryPage
        {
            Data = rows.Select(ToItem).ToList(),
            Pagination = new Pagination
            {
                Page = pageNumber,
                PageSize = size,
                TotalPageCount = (int)Math.Max(1, (total + size - 1) / size),
                TotalResults = total,
            },
        };
    }

    private static QueryHistoryItem ToItem(QueryHistoryRecord row) => new()
    {
        QueryUuid = row.QueryUuid,
        Status = row.Status.ToName(),
        Priority = row.PriorityName,
        ErrorSqlState = row.ErrorSqlState,
        CreatedAt = Timestamps.Utc(row.CreatedAt),
        Context = row.Context,
        Sql = row.CompiledSql,
        TotalRowCount = row.TotalRowCount,
        Error = row.Error,
        QueueTimeMs = Timestamps.MillisecondsBetween(row.CreatedAt, row.ProcessingStartedAt),
        WarehouseExecutionTimeMs = row.WarehouseExecutionTimeMs,
        TotalExecutionMs = Timestamps.MillisecondsBetween(row.ProcessingStartedAt, row.FinishedAt),
        FinishedAt = Timestamps.Utc(row.FinishedAt),
    };
}
