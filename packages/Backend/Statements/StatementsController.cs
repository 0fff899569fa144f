using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.ResultsStorage.Arrow;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Statements;

/// <summary>
/// Statements in the shape of Snowflake's SQL API v2, over any warehouse of this backend: submit, poll,
/// fetch result partitions, cancel. A statement is an ordinary query underneath (same history row,
/// streaming, stored results, cancel and limits); its handle is its query id. Authenticate with a personal
/// access token (<c>Authorization: Bearer</c>; <c>X-Snowflake-Authorization-Token-Type</c> is accepted and
/// not needed). Answers are Snowflake's bodies; errors of the request itself (400, 404, 409, 410, 429) are
/// this API's error envelope.
/// </summary>
[Route("api/v2/statements")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class StatementsController(StatementService statements, ArrowResultWriter arrow) : AuthenticatedApiController
{
    /// <summary>The header that names the project (its uuid), instead of <c>database</c>.</summary>
    public const string ProjectHeader = "X-Lightdash-Project";

    /// <summary>The header that carries the session id.</summary>
    public const string SessionHeader = "X-Lightdash-Session";

    /// <summary>Submits one SQL statement (developers of the project).</summary>
    /// <remarks>
    /// Without <c>async=true</c> the answer waits up to the statement's <c>timeout</c> (at most 45 s): 200
    /// with the first partition once it finished, or 202 with its handle. With <c>async=true</c>: 202 at
    /// once. Bind variables (<c>?</c> or <c>:N</c>) take their values from <c>bindings</c>, bound as
    /// parameters beside the SQL. A retried submit with the same <c>requestId</c> answers the same handle
    /// without running again (409 if it carries another statement).
    /// </remarks>
    /// <param name="request">The statement, its bindings and parameters.</param>
    /// <param name="async">True to answer 202 at once.</param>
    /// <param name="requestId">The client's id of this request (a UUID): a retry with the same id answers the same handle.</param>
    /// <param name="retry">Accepted for compatibility: every resubmit with a known <c>requestId</c> is a retry.</param>
    /// <param name="nullable">False to receive SQL NULL as the text <c>null</c>.</param>
    /// <param name="project">The project's uuid (or give <c>database</c>).</param>
    /// <param name="session">A session id from <c>POST /api/v2/statements/sessions</c>: the statement then belongs to that session.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The statement finished: the result's metadata and partition 0.</response>
    /// <response code="202">The statement runs: poll <c>statementStatusUrl</c>.</response>
    /// <response code="409">The requestId was used for another statement.</response>
    /// <response code="422">The statement failed or was cancelled.</response>
    /// <response code="429">The session holds as many statements as it may.</response>
    [HttpPost]
    [ProducesResponseType<StatementResultSet>(StatusCodes.Status200OK)]
    [ProducesResponseType<StatementStatus>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<StatementFailure>(StatusCodes.Status422UnprocessableEntity)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status429TooManyRequests)]
    public async Task<IActionResult> Submit(
        [FromBody] SubmitStatementRequest request,
        [FromQuery] bool? async,
        [FromQuery] string? requestId,
        [FromQuery] bool? retry,
        [FromQuery] bool? nullable,
        [FromHeader(Name = ProjectHeader)] string? project,
        [FromHeader(Name = SessionHeader)] string? session,
        CancellationToken cancellationToken) =>
        Answer(await statements.SubmitAsync(Caller, request, Call(project, session), requestId, async == true, nullable != false, cancellationToken));

    /// <summary>A statement's status, or a partition of its result once it finished.</summary>
    /// <remarks>
    /// 202 while it runs; 200 with the metadata and rows of partition 0, or the rows alone of a later
    /// partition (<c>?partition=N</c>, each read by range from the stored result, so the last costs what
    /// the first does; the <c>Link</c> header names the first, next, previous and last); 422 when it
    /// failed or was cancelled; 410 once it expired or its session ended.
    ///
    /// With <c>Accept: application/vnd.apache.arrow.stream</c> a ready statement's partition is answered as
    /// an Arrow IPC stream of its rows (typed columns, as <c>GET .../query/{queryUuid}/results</c> gives them)
    /// instead of <c>jsonv2</c> text, as Snowflake's drivers read <c>arrowv1</c> chunks; the metadata stays in
    /// the JSON answer of partition 0 (and in the stream's schema). The other answers are the same.
    /// </remarks>
    /// <param name="statementHandle">The handle from the submit.</param>
    /// <param name="partition">Which partition of the result (from 0).</param>
    /// <param name="session">The session the statement belongs to, when it belongs to one.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The partition's rows (with the metadata for partition 0).</response>
    /// <response code="202">The statement runs.</response>
    /// <response code="410">The statement expired or its session ended; its results were deleted.</response>
    /// <response code="422">The statement failed or was cancelled.</response>
    [HttpGet("{statementHandle:guid}")]
    [Produces("application/json", ArrowResultWriter.MediaType)]
    [ProducesResponseType<StatementResultSet>(StatusCodes.Status200OK)]
    [ProducesResponseType<StatementStatus>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status410Gone)]
    [ProducesResponseType<StatementFailure>(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IActionResult> Get(
        Guid statementHandle,
        [FromQuery] int? partition,
        [FromHeader(Name = SessionHeader)] string? session,
        CancellationToken cancellationToken)
    {
        var asksForArrow = AcceptNegotiation.Prefers(Request, ArrowResultWriter.MediaType, "application/json");
        var answer = await statements.GetAsync(Caller, statementHandle, partition, Call(null, session), cancellationToken, asksForArrow);
        if (answer.Body is not StatementArrowPartition rows)
        {
            return Answer(answer);
        }

        Response.Headers.Link = answer.Link;
        Response.ContentType = ArrowResultWriter.MediaType;
        await arrow.WritePageAsync(rows.Source, rows.StartRow, rows.RowCount, Response.Body, cancellationToken);
        return new EmptyResult();
    }

    /// <summary>Cancels a statement that has not finished: the warehouse statement and the upload stop.</summary>
    /// <param name="statementHandle">The handle from the submit.</param>
    /// <param name="session">The session the statement belongs to, when it belongs to one.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Cancelled (<c>code</c> 000604).</response>
    /// <response code="409">It had finished already.</response>
    [HttpPost("{statementHandle:guid}/cancel")]
    [ProducesResponseType<StatementStatus>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<StatementStatus> Cancel(
        Guid statementHandle,
        [FromHeader(Name = SessionHeader)] string? session,
        CancellationToken cancellationToken) =>
        await statements.CancelAsync(Caller, statementHandle, Call(null, session), cancellationToken);

    private StatementCall Call(string? project, string? session) => new(project, session, $"{Request.PathBase}/api/v2/statements");

    private ObjectResult Answer(StatementAnswer answer)
    {
        if (answer.Link is { } link)
        {
            Response.Headers.Link = link;
        }

        return StatusCode(answer.StatusCode, answer.Body);
    }
}
