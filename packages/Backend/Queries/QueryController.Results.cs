using Lightdash.Net.Backend.Deliveries;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Queries;

// QueryController, continued: results.
public sealed partial class QueryController
{
    /// <summary>A query's status, or a page of its results once ready.</summary>
    /// <remarks>
    /// While the query is <c>pending</c>, <c>queued</c> or <c>executing</c> the answer holds only
    /// <c>status</c> and <c>queryUuid</c>; on <c>error</c> also <c>error</c> and <c>erroredAt</c>.
    /// Once <c>ready</c> it holds the requested page: <c>rows</c>, <c>columns</c>, page counts and timings.
    /// A page is read from the stored results with ranged reads, so the last page of a large result
    /// costs about what the first does.
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id, from the execute route.</param>
    /// <param name="page">The page number, from 1 (default 1); at most the last page.</param>
    /// <param name="pageSize">Rows per page, from 1 to 5000 (default 500).</param>
    /// <param name="waitMs">
    /// Milliseconds (0 to 30000) to hold the request while the query is pending, queued or executing;
    /// it answers the moment the query finishes (woken by the database, not by polling), or when the time is up.
    /// </param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The status, or the page.</response>
    /// <response code="400">page, pageSize or waitMs is out of range.</response>
    /// <response code="404">The project or the query does not exist.</response>
    [HttpGet("{queryUuid}")]
    [ProducesResponseType<ApiResponse<QueryResultsPage>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<QueryResultsPage>> GetResults(
        Guid projectUuid, Guid queryUuid, [FromQuery] int? page, [FromQuery] int? pageSize, [FromQuery] int? waitMs, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await queries.GetResultsPageAsync(Caller, projectUuid, queryUuid, page, pageSize, waitMs, cancellationToken));

    /// <summary>Delete a query and its results.</summary>
    /// <remarks>
    /// A running query is cancelled first. The results file is deleted unless another query (a cache
    /// hit) still shares it. Later reads of the query answer 404.
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is deleted.</response>
    /// <response code="404">The project or the query does not exist.</response>
    [HttpDelete("{queryUuid}")]
    [ProducesResponseType<ApiResponse<DeleteQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<DeleteQueryResults>> Delete(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await queries.DeleteAsync(Caller, projectUuid, queryUuid, cancellationToken));

    /// <summary>Run several SQL queries at once.</summary>
    /// <remarks>
    /// Each query is submitted as by <c>POST .../query/sql</c> (cache and single flight included) and
    /// gets its own <c>queryUuid</c>, in the order given. Every query is validated first: when one is
    /// invalid, none is submitted.
    /// </remarks>
    /// <param name="projectUuid">The project whose warehouse runs the SQL.</param>
    /// <param name="request">The queries (1 to 100).</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The queries are submitted.</response>
    /// <response code="400">The list is empty or too long, or a query is invalid (named by its index).</response>
    /// <response code="404">The project does not exist.</response>
    [HttpPost("batch")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<BatchExecuteResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<BatchExecuteResults>> ExecuteBatch(Guid projectUuid, [FromBody] BatchExecuteRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await batches.SubmitAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>The states of several queries.</summary>
    /// <param name="projectUuid">The project the queries run on.</param>
    /// <param name="ids">The query ids (repeat the parameter, or separate with commas; 1 to 100).</param>
    /// <param name="waitMs">Milliseconds (0 to 30000) to wait until every query is final.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Each query's state.</response>
    /// <response code="400">An id is not a uuid, or waitMs is out of range.</response>
    /// <response code="404">The project or one of the queries does not exist.</response>
    [HttpGet("batch")]
    [ProducesResponseType<ApiResponse<BatchStatusResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<BatchStatusResults>> GetBatch(
        Guid projectUuid, [FromQuery] string[]? ids, [FromQuery] int? waitMs, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await batches.GetStatesAsync(Caller, projectUuid, ids, waitMs, cancellationToken));

    /// <summary>Cancel a query that has not finished.</summary>
    /// <remarks>
    /// The query turns <c>cancelled</c> at once and its work stops wherever it runs: the warehouse
    /// command is cancelled on the warehouse and the results upload is aborted. A later error or
    /// completion never overwrites <c>cancelled</c>.
    /// </remarks>
    /// <param name="projectUuid">The project the query runs on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is cancelled.</response>
    /// <response code="404">The project or the query does not exist.</response>
    /// <response code="409">The query already finished (ready, error, cancelled or expired).</response>
    [HttpPost("{queryUuid}/cancel")]
    [ProducesResponseType<ApiResponse<CancelQueryResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<CancelQueryResults>> Cancel(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await queries.CancelAsync(Caller, projectUuid, queryUuid, cancellationToken));

    /// <summary>The whole result as JSON lines.</summary>
    /// <remarks>
    /// Streams every row of a ready query, one JSON object per line keyed by field id
    /// (<c>application/x-ndjson</c>). Nothing is buffered: the body is copied from the results
    /// storage as it arrives (or, without S3, re-fetched from the warehouse).
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The rows, one JSON object per line.</response>
    /// <response code="404">The project or the query does not exist.</response>
    /// <response code="409">The query is not ready.</response>
    [HttpGet("{queryUuid}/results")]
    [Produces("application/x-ndjson", "application/json")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/x-ndjson")]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task GetAllResults(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var query = await queries.GetReadyQueryAsync(Caller, projectUuid, queryUuid, cancellationToken);
        Response.ContentType = "application/x-ndjson";
        await queries.WriteAllResultsAsync(query, Response.BodyWriter, cancellationToken);
        await Response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>A download link for a ready query's results.</summary>
    /// <remarks>
    /// <c>type: "csv"</c> writes a CSV export (header row, RFC 4180 quoting, UTF-8) next to the
    /// results and links to it; <c>type: "jsonl"</c> links to the stored results themselves. Links
    /// are presigned S3 URLs that expire (one hour by default). Needs results storage (S3). A CSV of
    /// more than <c>Exports:SyncDownloadMaxRows</c> rows (100,000) is a 409 that points to
    /// <c>schedule-download</c>, which writes any size, in more formats, off the request.
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="request">The file type.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The link.</response>
    /// <response code="400">The type is not csv or jsonl.</response>
    /// <response code="404">The project or the query does not exist.</response>
    /// <response code="409">The query is not ready, or no results storage is configured.</response>
    [HttpPost("{queryUuid}/download")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<DownloadResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<DownloadResults>> Download(Guid projectUuid, Guid queryUuid, [FromBody] DownloadRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await downloads.DownloadAsync(Caller, projectUuid, queryUuid, request, cancellationToken));

    /// <summary>Starts an export of a ready query's results as a background job; answers its job id at once.</summary>
    /// <remarks>
    /// A worker on any instance streams the stored result into a file in S3: <c>csv</c> (RFC 4180,
    /// UTF-8; formatted values with <c>onlyRaw: false</c>), <c>xlsx</c> (typed cells, streamed; one sheet holds
    /// 1,048,576 rows, and a longer result is reported <c>truncated</c>), <c>parquet</c> (typed columns, exact
    /// decimals, timestamps) or <c>jsonl</c>. Poll <c>GET /api/v1/schedulers/job/{jobId}/status</c> for its
    /// progress and, once completed, a presigned <c>fileUrl</c>. The job belongs to the caller; it is
    /// deleted with its query, or after <c>Exports:FileLifetime</c> (24 hours).
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="request">The format and options.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The job's id.</response>
    /// <response code="400">The type, limit or file name is invalid.</response>
    /// <response code="404">The project or the query does not exist.</response>
    /// <response code="409">The query is not ready, or no results storage is configured.</response>
    [HttpPost("{queryUuid}/schedule-download")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ScheduleDownloadResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<ScheduleDownloadResults>> ScheduleDownload(
        Guid projectUuid, Guid queryUuid, [FromBody] ScheduleDownloadRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await exports.ScheduleAsync(Caller, projectUuid, queryUuid, request, cancellationToken));

    /// <summary>The project's queries, newest first.</summary>
    /// <remarks>Each with its status, timings, row count and error. Filter with one or more <c>status</c> values.</remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="page">The page number, from 1 (default 1).</param>
    /// <param name="pageSize">Queries per page, from 1 to 100 (default 25).</param>
    /// <param name="status">Only queries with these statuses (repeat the parameter, or separate with commas).</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The page of history.</response>
    /// <response code="400">page, pageSize or a status is invalid.</response>
    /// <response code="404">The project does not exist.</response>
    [HttpGet("history")]
    [ProducesResponseType<ApiResponse<QueryHistoryPage>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<QueryHistoryPage>> History(
        Guid projectUuid, [FromQuery] int? page, [FromQuery] int? pageSize, [FromQuery] string[]? status, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await history.ListAsync(Caller, projectUuid, page, pageSize, status, cancellationToken));
}
