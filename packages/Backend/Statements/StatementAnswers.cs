using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Common;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Statements;

/// <summary>A statements API answer: its status code, body and <c>Link</c> header (partitions), or none.</summary>
/// <param name="StatusCode">200, 202 or 422.</param>
/// <param name="Body">A <see cref="StatementResultSet"/>, <see cref="StatementStatus"/> or <see cref="StatementFailure"/>.</param>
/// <param name="Link">The <c>Link</c> header naming the first, previous, next and last partitions, or null.</param>
public sealed record StatementAnswer(int StatusCode, object Body, string? Link = null);

/// <summary>The rows of one partition of a ready statement, to be answered as an Arrow stream instead of <c>jsonv2</c>.</summary>
/// <param name="Source">The statement's stored result.</param>
/// <param name="StartRow">The partition's first row, from 0.</param>
/// <param name="RowCount">Its rows.</param>
public sealed record StatementArrowPartition(ResultSource Source, long StartRow, int RowCount);

/// <summary>
/// Shapes a statement's state as Snowflake's SQL API does: 202 while it runs, 200 with a partition of
/// its result once ready (partition 0 with the metadata; later ones are rows only, read by range from
/// the stored blocks), 422 when it failed or was cancelled, 410 once it ended.
/// </summary>
public sealed class StatementAnswers(IResultsStore results, IOptions<StatementsOptions> options)
{
    private const string RunningCode = "333334";
    private const string Succeeded = "090001";
    private const string CancelledCode = "000604";
    private const string TimedOutCode = "000630";
    private const string CanceledState = "57014";
    private const string RunningMessage = "Asynchronous execution in progress. Use the statement handle to poll its status and fetch its results.";
    private static readonly TimeSpan SubmitWindow = TimeSpan.FromSeconds(30);

    private readonly int _partitionRows = options.Value.PartitionRows;

    /// <summary>The answer for a statement and its history row (null when deleted).</summary>
    /// <param name="statement">The statement.</param>
    /// <param name="query">Its history row.</param>
    /// <param name="partition">The partition asked for, from 0.</param>
    /// <param name="call">How it was called (for URLs).</param>
    /// <param name="arrow">True to answer a ready statement's partition as <see cref="StatementArrowPartition"/> (its rows, for an Arrow stream).</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    public async Task<StatementAnswer> AnswerAsync(
        StatementRecord statement, QueryHistoryRecord? query, int partition, StatementCall call, CancellationToken cancellationToken, bool arrow = false)
    {
        var handle = statement.StatementHandle;
        if (statement.EndedAt is { } ended)
        {
            throw new GoneException($"Statement {handle} ended at {ended:u} ({statement.EndReason}); its results were deleted. Submit it again.");
        }

        if (query is null)
        {
            // Reserved a moment ago and being submitted (a concurrent retry of its request id sees this), or deleted.
            if (DateTimeOffset.UtcNow - Timestamps.Utc(statement.CreatedAt) < SubmitWindow)
            {
                return Running(statement, call);
            }

            throw new GoneException($"Statement {handle}'s query was deleted; submit it again.");
        }

        var url = StatusUrl(call, handle);
        var createdOn = CreatedOn(statement);
        switch (query.Status)
        {
            case QueryStatus.Pending or QueryStatus.Queued or QueryStatus.Executing:
                return Running(statement, call);
            case QueryStatus.Cancelled:
                return Failed(handle, createdOn, url, CancelledCode, CanceledState, "SQL execution canceled");
            case QueryStatus.Error:
                var (code, state) = ErrorCodeOf(query.Error ?? "", query.ErrorSqlState);
                return Failed(handle, createdOn, url, code, state, query.Error ?? "The statement failed.");
            case QueryStatus.Expired:
                throw new GoneException($"The results of statement {handle} expired and were deleted; submit it again.");
        }

        return arrow
            ? ArrowAnswer(query, partition, url)
            : await ReadyAnswerAsync(statement, query, partition, url, createdOn, cancellationToken);
    }

    /// <summary>Which rows partition <paramref name="partition"/> of a ready result holds, and how many partitions there are.</summary>
    private (long Start, int Count, int Partitions) PartitionOf(QueryHistoryRecord query, int partition)
    {
        var totalRows = query.TotalRowCount ?? 0;
        var partitions = (int)Math.Max(1, (totalRows + _partitionRows - 1) / _partitionRows);
        if (partition >= partitions)
        {
            throw new ValidationException($"partition {partition} is beyond the last: the result has {totalRows} rows in {partitions} partition(s), numbered from 0.");
        }

        var start = (long)partition * _partitionRows;
        return (start, (int)Math.Min(_partitionRows, totalRows - start), partitions);
    }

    private StatementAnswer ArrowAnswer(QueryHistoryRecord query, int partition, string url)
    {
        var (start, count, partitions) = PartitionOf(query, partition);
        var source = HistoryResultSources.Of(query, ColumnsJson.Parse(query.ColumnsJson));
        return new StatementAnswer(StatusCodes.Status200OK, new StatementArrowPartition(source, start, count), PartitionLinks(url, partition, partitions));
    }

    /// <summary>A ready statement's partition: its rows, and on partition 0 the result set's metadata too.</summary>
    private async Task<StatementAnswer> ReadyAnswerAsync(
        StatementRecord statement, QueryHistoryRecord query, int partition, string url, long createdOn, CancellationToken cancellationToken)
    {
        var handle = statement.StatementHandle;
        var columns = ColumnsJson.Parse(query.ColumnsJson);
        var totalRows = query.TotalRowCount ?? 0;
        var (start, count, partitions) = PartitionOf(query, partition);
        var database = statement.ProjectUuid.ToString();
        var rowTypes = columns.Select(c => StatementValueEncoding.RowTypeOf(c, database)).ToArray();
        var rows = count == 0 ? [] : await results.ReadPageAsync(HistoryResultSources.Of(query, columns), start, count, cancellationToken);
        var data = rows.Select(row => (IReadOnlyList<string?>)rowTypes
                .Select(t => row.TryGetValue(t.Name, out var cell) ? StatementValueEncoding.Encode(cell.Value.Raw, t.Type, statement.Nullable) : null)
                .ToArray())
            .ToArray();
        var link = PartitionLinks(url, partition, partitions);
        if (partition > 0)
        {
            return new StatementAnswer(StatusCodes.Status200OK, new StatementResultSet { Data = data }, link);
        }

        var storedBytes = query.BytesWritten ?? query.ResultsByteSize ?? 0;
        return new StatementAnswer(StatusCodes.Status200OK, new StatementResultSet
        {
            Code = Succeeded,
            SqlState = "00000",
            Message = "Statement executed successfully.",
            StatementHandle = handle,
            CreatedOn = createdOn,
            StatementStatusUrl = url,
            RequestId = statement.RequestId,
            SessionId = statement.SessionId,
            ResultSetMetaData = new StatementResultSetMetaData
            {
                NumRows = totalRows,
                PartitionInfo = Enumerable.Range(0, partitions).Select(p =>
                {
                    var rowCount = Math.Min(_partitionRows, totalRows - ((long)p * _partitionRows));
                    return new StatementPartitionInfo { RowCount = rowCount, UncompressedSize = totalRows == 0 ? 0 : storedBytes * rowCount / totalRows };
                }).ToArray(),
                RowType = rowTypes,
            },
            Data = data,
        }, link);
    }

    /// <summary>The answer to a cancel that stopped the statement.</summary>
    public static StatementStatus Cancelled(StatementRecord statement, StatementCall call) => new()
    {
        Code = CancelledCode,
        SqlState = CanceledState,
        Message = "SQL execution canceled",
        StatementHandle = statement.StatementHandle,
        CreatedOn = CreatedOn(statement),
        StatementStatusUrl = StatusUrl(call, statement.StatementHandle),
        SessionId = statement.SessionId,
    };

    /// <summary>The 202 of a statement still running (or being submitted).</summary>
    private static StatementAnswer Running(StatementRecord statement, StatementCall call) => new(StatusCodes.Status202Accepted, new StatementStatus
    {
        Code = RunningCode,
        Message = RunningMessage,
        StatementHandle = statement.StatementHandle,
        CreatedOn = CreatedOn(statement),
        StatementStatusUrl = StatusUrl(call, statement.StatementHandle),
        SessionId = statement.SessionId,
    });

    /// <summary>When the statement was submitted, in milliseconds since the epoch (Snowflake's <c>createdOn</c>).</summary>
    private static long CreatedOn(StatementRecord statement) => Timestamps.Utc(statement.CreatedAt).ToUnixTimeMilliseconds();

    /// <summary>
    /// Snowflake's error code and the SQL state of a failed statement: the warehouse's own SQLSTATE when it
    /// gave one (PostgreSQL does), otherwise one read from its message (DuckDB gives none).
    /// </summary>
    public static (string Code, string SqlState) ErrorCodeOf(string error, string? sqlState = null)
    {
        var (code, derived) = error switch
        {
            _ when error.StartsWith("The query ran longer than its time limit", StringComparison.Ordinal) => (TimedOutCode, CanceledState),
            _ when sqlState is "42601" || error.Contains("syntax error", StringComparison.OrdinalIgnoreCase) || error.Contains("Parser Error", StringComparison.Ordinal) =>
                ("001003", "42601"),
            _ when sqlState is "42P01" or "42703" or "42883" or "42704" or "3F000"
                || error.Contains("does not exist", StringComparison.OrdinalIgnoreCase) || error.Contains("Catalog Error", StringComparison.Ordinal) => ("002003", "42S02"),
            _ => ("100000", "42000"),
        };
        return (code, sqlState ?? derived);
    }

    private static StatementAnswer Failed(Guid handle, long createdOn, string url, string code, string state, string message) =>
        new(StatusCodes.Status422UnprocessableEntity, new StatementFailure
        {
            Code = code,
            SqlState = state,
            Message = message,
            StatementHandle = handle,
            CreatedOn = createdOn,
            StatementStatusUrl = url,
        });

    private static string StatusUrl(StatementCall call, Guid handle) => $"{call.BaseUrl}/{handle}";

    private static string PartitionLinks(string url, int partition, int partitions)
    {
        var links = new List<string> { $"<{url}?partition=0>; rel=\"first\"" };
        if (partition + 1 < partitions)
        {
            links.Add($"<{url}?partition={partition + 1}>; rel=\"next\"");
        }

        if (partition > 0)
        {
            links.Add($"<{url}?partition={partition - 1}>; rel=\"prev\"");
        }

        links.Add($"<{url}?partition={partitions - 1}>; rel=\"last\"");
        return string.Join(", ", links);
    }
}
