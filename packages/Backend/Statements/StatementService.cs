using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Statements;

/// <summary>Where a statements call came from: the headers and query string besides the body.</summary>
/// <param name="ProjectHeader">The <c>X-Lightdash-Project</c> header, or null.</param>
/// <param name="SessionHeader">The <c>X-Lightdash-Session</c> header, or null.</param>
/// <param name="BaseUrl">The statements route as the client called it (for <c>statementStatusUrl</c>).</param>
public sealed record StatementCall(string? ProjectHeader, string? SessionHeader, string BaseUrl);

/// <summary>
/// The statements API (Snowflake's SQL API shape) as a second face of the same engine: a statement is a
/// query submitted through the one submit path (same history row, streaming, S3 objects, cancel and
/// limits), its handle is the query's id, owned by its user and, when given, its session.
/// </summary>
public sealed class StatementService(
    ProjectAccess access,
    ProjectStore projects,
    StatementStore statements,
    StatementSessionStore sessions,
    AsyncQueryService queries,
    QueryHistoryStore history,
    QueryWaiter waiter,
    StatementAnswers answers,
    IOptions<StatementsOptions> options,
    IOptions<QueryExecutionOptions> executionOptions,
    ILogger<StatementService> logger)
{
    private static readonly string DefaultContext = QueryContext.Statements.ToName();
    private const int MaxRequestIdLength = 128;
    private readonly StatementsOptions _options = options.Value;

    /// <summary>Submits a statement; with <paramref name="async"/> false, waits up to its timeout (at most <see cref="StatementsOptions.MaxSyncWait"/>) for its first partition.</summary>
    public async Task<StatementAnswer> SubmitAsync(
        CurrentUser user, SubmitStatementRequest body, StatementCall call, string? requestId, bool async, bool nullable, CancellationToken cancellationToken)
    {
        var request = StatementRequest.Read(body, executionOptions.Value.MaxSqlLength, _options.MaxBindings, _options.DefaultTtl, _options.MaxTtl);
        if (requestId is { Length: 0 or > MaxRequestIdLength } || requestId?.Any(char.IsControl) == true)
        {
            throw new ValidationException($"requestId must be 1 to {MaxRequestIdLength} printable characters (a UUID).");
        }

        var session = await SessionOfAsync(user, call, cancellationToken);
        var project = await ProjectOfAsync(user, call.ProjectHeader, body.Database, cancellationToken);
        if (requestId is not null && await statements.FindByRequestIdAsync(user.UserUuid, requestId, cancellationToken) is { } earlier)
        {
            return await AnswerRetryAsync(earlier, session, request, call, async, body.Timeout, cancellationToken);
        }

        var statement = new StatementRecord
        {
            StatementHandle = Guid.NewGuid(),
            UserUuid = user.UserUuid,
            ProjectUuid = project.ProjectUuid,
            SessionId = session,
            RequestId = requestId,
            StatementHash = request.Hash,
            Nullable = nullable,
            CreatedAt = DateTime.UtcNow,
        };
        switch (await statements.ReserveAsync(statement, request.Ttl, _options.MaxStatementsPerSession, cancellationToken))
        {
            case StatementReservation.DuplicateRequestId:
                // The same request id arrived twice at once: the first one's handle answers both.
                var first = await statements.FindByRequestIdAsync(user.UserUuid, requestId!, cancellationToken)
                    ?? throw new ConflictException($"requestId {requestId} is being submitted; retry.");
                return await AnswerRetryAsync(first, session, request, call, async, body.Timeout, cancellationToken);
            case StatementReservation.SessionFull:
                throw new TooManyRequestsException(
                    $"Session {session} holds {_options.MaxStatementsPerSession} statements, as many as it may; cancel or wait for some to expire, or open another session.");
        }

        await SubmitReservedAsync(user, project, statement, request, cancellationToken);
        logger.LogInformation("Statement {QueryUuid} submitted (session {SessionId}, request id {RequestId})", statement.StatementHandle, session, requestId);
        if (!async)
        {
            await waiter.WaitForFinalStateAsync(statement.StatementHandle, SyncWait(body.Timeout), cancellationToken);
        }

        return await answers.AnswerAsync(statement, await history.FindAsync(statement.StatementHandle, cancellationToken), 0, call, cancellationToken);
    }

    /// <summary>The statement's status, or partition <paramref name="partition"/> of its result once it is ready.</summary>
    /// <param name="user">The caller.</param>
    /// <param name="handle">The statement's handle.</param>
    /// <param name="partition">The partition asked for (0 when null).</param>
    /// <param name="call">How it was called.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <param name="arrow">True to answer a ready partition as its rows (<see cref="StatementArrowPartition"/>) for an Arrow stream.</param>
    public async Task<StatementAnswer> GetAsync(CurrentUser user, Guid handle, int? partition, StatementCall call, CancellationToken cancellationToken, bool arrow = false)
    {
        if (partition is < 0)
        {
            throw new ValidationException($"partition must be 0 or more (got {partition}).");
        }

        var statement = await OwnStatementAsync(user, handle, call, cancellationToken);
        var query = await history.FindAsync(handle, cancellationToken);
        if (query is not null)
        {
            await history.MarkReadAsync(handle, cancellationToken);
        }

        return await answers.AnswerAsync(statement, query, partition ?? 0, call, cancellationToken, arrow);
    }

    /// <summary>Cancels a statement that has not finished: the warehouse statement and the upload stop.</summary>
    public async Task<StatementStatus> CancelAsync(CurrentUser user, Guid handle, StatementCall call, CancellationToken cancellationToken)
    {
        var statement = await OwnStatementAsync(user, handle, call, cancellationToken);
        if (!await queries.CancelIfActiveAsync(handle, cancellationToken))
        {
            var query = await history.FindAsync(handle, cancellationToken);
            throw new ConflictException(
                $"Statement {handle} is already {query?.Status.ToName() ?? "deleted"}; only a statement that has not finished can be cancelled.");
        }

        logger.LogInformation("Statement {QueryUuid} cancelled", handle);
        return StatementAnswers.Cancelled(statement, call);
    }

    /// <summary>The wait of a synchronous submit: the statement's timeout, at most <see cref="StatementsOptions.MaxSyncWait"/>.</summary>
    private TimeSpan SyncWait(long? timeoutSeconds) =>
        timeoutSeconds is > 0 and var seconds && TimeSpan.FromSeconds(seconds) < _options.MaxSyncWait ? TimeSpan.FromSeconds(seconds) : _options.MaxSyncWait;

    private async Task<StatementAnswer> AnswerRetryAsync(
        StatementRecord earlier, Guid? session, StatementRequest request, StatementCall call, bool async, long? timeoutSeconds, CancellationToken cancellationToken)
    {
        if (earlier.StatementHash != request.Hash)
        {
            throw new ConflictException($"requestId {earlier.RequestId} was used for another statement ({earlier.StatementHandle}); use a new requestId for a new statement.");
        }

        RequireVisible(earlier, session);
        logger.LogInformation("Statement {QueryUuid} answered a retried request {RequestId}", earlier.StatementHandle, earlier.RequestId);
        if (!async && earlier.EndedAt is null)
        {
            await waiter.WaitForFinalStateAsync(earlier.StatementHandle, SyncWait(timeoutSeconds), cancellationToken);
        }

        return await answers.AnswerAsync(earlier, await history.FindAsync(earlier.StatementHandle, cancellationToken), 0, call, cancellationToken);
    }

    /// <summary>
    /// The caller's statement: 404 for an unknown handle, another user's, or one of a session the call
    /// does not present (a session is the boundary: nobody outside it reads its statements).
    /// </summary>
    private async Task<StatementRecord> OwnStatementAsync(CurrentUser user, Guid handle, StatementCall call, CancellationToken cancellationToken)
    {
        var session = await SessionOfAsync(user, call, cancellationToken);
        var statement = await statements.FindAsync(handle, user.UserUuid, cancellationToken)
            ?? throw new NotFoundException($"Statement {handle} does not exist.");
        RequireVisible(statement, session);
        return statement;
    }

    /// <summary>404 for a statement of a session other than the call's.</summary>
    private static void RequireVisible(StatementRecord statement, Guid? session)
    {
        if (statement.SessionId is { } owner && owner != session)
        {
            throw new NotFoundException($"Statement {statement.StatementHandle} does not exist in this session.");
        }
    }

    /// <summary>The call's session (its end moved on), or null without one; 404 for an unknown, foreign or ended session.</summary>
    private async Task<Guid?> SessionOfAsync(CurrentUser user, StatementCall call, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(call.SessionHeader))
        {
            return null;
        }

        if (!Guid.TryParse(call.SessionHeader, out var sessionId))
        {
            throw new ValidationException("X-Lightdash-Session must be a session id (a UUID) from POST /api/v2/statements/sessions.");
        }

        return (await sessions.TouchAsync(sessionId, user.UserUuid, cancellationToken))?.SessionId
            ?? throw new NotFoundException($"Session {sessionId} does not exist or has ended; open another with POST /api/v2/statements/sessions.");
    }

    /// <summary>The project named by the header, or by <c>database</c> (its uuid or name), where the caller is a developer.</summary>
    private async Task<Project> ProjectOfAsync(CurrentUser user, string? header, string? database, CancellationToken cancellationToken)
    {
        var named = !string.IsNullOrWhiteSpace(header) ? header.Trim() : database?.Trim();
        if (string.IsNullOrEmpty(named))
        {
            throw new ValidationException("Name the project: send the X-Lightdash-Project header (its uuid), or database (its uuid or name).");
        }

        if (Guid.TryParse(named, out var projectUuid))
        {
            return await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        }

        if (named.Length > 256)
        {
            throw new ValidationException("database must be at most 256 characters.");
        }

        var found = await projects.FindByNameAsync(named, cancellationToken);
        if (found.Count > 1)
        {
            throw new ValidationException($"More than one project is named \"{named}\"; name it by its uuid.");
        }

        try
        {
            return found.Count == 1
                ? await access.RequireAsync(user, found[0], ProjectRole.Developer, cancellationToken)
                : throw new NotFoundException($"No project is named \"{named}\".");
        }
        catch (NotFoundException)
        {
            // A project the caller is not a member of is as absent as one that does not exist; its uuid stays unsaid.
            throw new NotFoundException($"No project is named \"{named}\".");
        }
    }

    /// <summary>Submits a reserved statement's query under its handle; the reservation is undone if the submission fails.</summary>
    private async Task SubmitReservedAsync(CurrentUser user, Project project, StatementRecord statement, StatementRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await queries.SubmitAndWaitAsync(user, project, new CompiledSubmission(
                request.Sql,
                request.RowLimit,
                request.Context ?? DefaultContext,
                InvalidateCache: false,
                StatementTimeout: request.Timeout,
                BindingsJson: request.BindingsJson,
                QueryUuid: statement.StatementHandle), null, cancellationToken);
        }
        catch
        {
            await statements.DeleteAsync(statement.StatementHandle, CancellationToken.None);
            throw;
        }
    }
}
