using System.Diagnostics;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries;

// AsyncQueryService, continued: pages.
public sealed partial class AsyncQueryService
{
    /// <summary>
    /// A page of a query still executing, when all its rows are stored already (read from the live copies
    /// of the uploaded parts, on any instance); the total is not known yet. Null otherwise.
    /// </summary>
    private async Task<QueryResultsPage?> LivePageAsync(QueryHistoryRecord query, int pageNumber, int? pageSize, CancellationToken cancellationToken)
    {
        var key = query.ResultsUploadKey
            ?? (query.JoinedQueryUuid is { } leader ? (await history.FindAsync(leader, cancellationToken))?.ResultsUploadKey : null);
        if (key is null)
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        var size = Math.Min(pageSize ?? query.DefaultPageSize, _options.MaxPageSize);
        var rows = await results.ReadLivePageAsync(key, (long)(pageNumber - 1) * size, size, cancellationToken);
        if (rows is null)
        {
            return null;
        }

        rows = FormattedByFields(query, rows);

        return new QueryResultsPage
        {
            QueryUuid = query.QueryUuid,
            Status = QueryStatus.Executing.ToName(),
            Priority = query.PriorityName,
            Progress = await ProgressAsync(query, cancellationToken),
            Rows = rows,
            Page = pageNumber,
            PageSize = size,
            NextPage = pageNumber + 1,
            PreviousPage = pageNumber > 1 ? pageNumber - 1 : null,
            Metadata = new QueryResultsMetadata { Source = results.Source, Performance = new QueryPerformance { ResultsPageExecutionMs = clock.ElapsedMilliseconds } },
        };
    }

    /// <summary>A page's rows with each semantic field's value formatted, when the query has fields (metric queries); as they are otherwise.</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, ResultCell>> FormattedByFields(
        QueryHistoryRecord query, IReadOnlyList<IReadOnlyDictionary<string, ResultCell>> rows) =>
        PageValueFormatter.FieldsOf(query.FieldsJson) is { Count: > 0 } fields ? PageValueFormatter.Apply(rows, fields) : rows;

    /// <summary>Waits up to <paramref name="wait"/> for a submitted query and attaches its first page.</summary>
    private async Task<QueryResultsPage?> FirstPageAfterWaitAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return null;
        }

        await waiter.WaitForFinalStateAsync(queryUuid, wait, cancellationToken);
        return await GetResultsPageAsync(user, projectUuid, queryUuid, 1, null, null, cancellationToken);
    }

    /// <summary>The query's status, or one page of its rows once it is ready; with <paramref name="waitMs"/>, first waits for it to finish.</summary>
    public async Task<QueryResultsPage> GetResultsPageAsync(
        CurrentUser user, Guid projectUuid, Guid queryUuid, int? page, int? pageSize, int? waitMs, CancellationToken cancellationToken)
    {
        var pageNumber = page ?? 1;
        if (pageNumber < 1)
        {
            throw new ValidationException($"page must be 1 or more (got {pageNumber}).");
        }

        if (pageSize is { } size && (size < 1 || size > _options.MaxPageSize))
        {
            throw new ValidationException($"pageSize must be between 1 and {_options.MaxPageSize} (got {size}).");
        }

        var wait = ValidateWait(waitMs);
        var query = await GetOwnQueryPolledAsync(user, projectUuid, queryUuid, cancellationToken);
        await MarkReadAsync(query, cancellationToken);
        if (wait > TimeSpan.Zero && query.Status.IsActive())
        {
            query = await waiter.WaitForFinalStateAsync(queryUuid, wait, cancellationToken) ?? throw new NotFoundException($"Query {queryUuid} was deleted.");
            await MarkReadAsync(query, cancellationToken);
        }

        if (query.Status == QueryStatus.Executing && await LivePageAsync(query, pageNumber, pageSize, cancellationToken) is { } live)
        {
            return live;
        }

        return query.Status == QueryStatus.Ready
            ? await ReadyPageAsync(query, pageNumber, pageSize, cancellationToken)
            : new QueryResultsPage
            {
                QueryUuid = queryUuid,
                Status = query.Status.ToName(),
                Error = query.Status == QueryStatus.Expired ? ExpiredMessage(query) : query.Error,
                ErrorSqlState = query.ErrorSqlState,
                Priority = query.PriorityName,
                ErroredAt = Timestamps.Utc(query.ErroredAt ?? (query.Status == QueryStatus.Expired ? query.ResultsExpiresAt : null)),
                Progress = await ProgressAsync(query, cancellationToken),
            };
    }

    /// <summary>
    /// The caller's own query for a poll: a query still waiting or running, read within the last half
    /// second and unchanged since, comes from memory (<see cref="QueryStatusCache"/>); anything else is read.
    /// </summary>
    private async Task<QueryHistoryRecord> GetOwnQueryPolledAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        if (statuses.TryGet(queryUuid, projectUuid, user.UserUuid, out var cached))
        {
            return cached;
        }

        var version = statuses.Version;
        var query = await GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        statuses.Offer(query, version);
        return query;
    }

    private async Task<QueryResultsPage> ReadyPageAsync(QueryHistoryRecord query, int pageNumber, int? pageSize, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var window = PageWindow.Of(query.TotalRowCount ?? 0, pageNumber, Math.Min(pageSize ?? query.DefaultPageSize, _options.MaxPageSize));
        var columns = ColumnsJson.Parse(query.ColumnsJson);
        IReadOnlyList<IReadOnlyDictionary<string, ResultCell>> rows;
        using (var activity = LightdashTelemetry.StartQueryActivity("results.page", query.QueryUuid))
        {
            activity?.SetTag("lightdash.page", pageNumber);
            rows = await results.ReadPageAsync(HistoryResultSources.Of(query, columns), window.StartRow, window.RowCount, cancellationToken);
            LightdashTelemetry.PageReadLatency.Record(clock.Elapsed.TotalMilliseconds);
        }

        rows = FormattedByFields(query, rows);
        return new QueryResultsPage
        {
            QueryUuid = query.QueryUuid,
            Status = query.Status.ToName(),
            Priority = query.PriorityName,
            Rows = rows,
            Columns = columns.ToDictionary(
                c => c.Reference,
                ResultColumnInfo.Of,
                StringComparer.Ordinal),
            TotalPageCount = window.TotalPages,
            TotalResults = window.TotalRows,
            Page = pageNumber,
            PageSize = rows.Count,
            NextPage = window.NextPage,
            PreviousPage = window.PreviousPage,
            Metadata = new QueryResultsMetadata
            {
                Performance = new QueryPerformance
                {
                    InitialQueryExecutionMs = query.WarehouseExecutionTimeMs,
                    ResultsPageExecutionMs = clock.ElapsedMilliseconds,
                    QueueTimeMs = Timestamps.MillisecondsBetween(query.CreatedAt, query.ProcessingStartedAt),
                    TotalExecutionMs = Timestamps.MillisecondsBetween(query.ProcessingStartedAt, query.FinishedAt),
                },
                Source = results.Source,
            },
        };
    }
}
