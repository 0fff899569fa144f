using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Chunks;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.ResultsStorage.Arrow;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Queries;

/// <summary>Runs queries in the background and serves their results page by page.</summary>
/// <remarks>
/// The routes that compile a query from explores or saved content share this base and tag: they live with
/// their capability (<c>ExploreQueryController</c>, <c>ContentQueryController</c>, <c>QueryExportController</c>).
/// </remarks>
[Tags("Query")]
public sealed class QueryController(
    AsyncQueryService queries,
    QueryDownloadService downloads,
    QueryHistoryService history,
    BatchQueryService batches,
    ComposeService composer,
    ResultChunksService chunks,
    ArrowResultWriter arrow) : QueryRouteController
{
    /// <summary>Run SQL over stored results (developers and admins of the project).</summary>
    /// <remarks>
    /// Each entry of <c>references</c> names a table holding one of the caller's ready results in this
    /// project; the SQL (DuckDB's dialect) runs in an embedded DuckDB database that holds those tables
    /// and nothing else, without touching the warehouse. Any other reference (not ready, expired,
    /// deleted, another user's) is a 400 naming it, before anything is queued. The result is a query like
    /// any other: poll, page, download, cancel; it is cached by the SQL and the referenced results.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The SQL and its references.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued (or answered from the cache).</response>
    /// <response code="400">The SQL, a reference or a limit is invalid.</response>
    [HttpPost("compose-sql")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteQueryResults>> ComposeSql(Guid projectUuid, [FromBody] ComposeSqlRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await composer.ExecuteAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>A sorted, filtered view of one of the caller's ready results.</summary>
    /// <remarks>
    /// The view runs over the stored result (not the warehouse) and is stored as a result of its own:
    /// its <c>queryUuid</c> pages, downloads and caches like any query's. Columns are the result's;
    /// values are parsed as the column's type. An unknown column or operator, or a value of the wrong
    /// type, is a 400.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="queryUuid">The ready result to view.</param>
    /// <param name="request">Filters, sorts and a limit.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The view's query is queued (or answered from the cache).</response>
    /// <response code="400">A column, operator or value is invalid, or the result is not ready.</response>
    [HttpPost("{queryUuid}/view")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteQueryResults>> View(Guid projectUuid, Guid queryUuid, [FromBody] ResultViewRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await composer.ViewAsync(Caller, projectUuid, queryUuid, request, cancellationToken));

    /// <summary>Run SQL on the project's warehouse (developers and admins of the project).</summary>
    /// <remarks>
    /// Records the query as <c>pending</c>, hands it to a background worker and answers at once with
    /// its <c>queryUuid</c>. Poll <c>GET .../query/{queryUuid}</c> (or wait there with <c>waitMs</c>)
    /// until the status is <c>ready</c> (or <c>error</c>); then read pages from the same route.
    /// A ready result of the same SQL and limit with enough life left is reused at once
    /// (<c>cacheMetadata.cacheHit</c>), and an identical query still running is joined instead of
    /// run twice; <c>invalidateCache: true</c> runs it anew. With <c>waitMs</c> the answer waits for
    /// the query and carries its first page.
    /// </remarks>
    /// <param name="projectUuid">The project whose warehouse runs the SQL.</param>
    /// <param name="request">The SQL and its options.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued.</response>
    /// <response code="400">The SQL is missing or a field is out of range.</response>
    /// <response code="404">The project does not exist.</response>
    [HttpPost("sql")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteQueryResults>> ExecuteSql(Guid projectUuid, [FromBody] ExecuteSqlQueryRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await queries.ExecuteSqlAsync(Caller, projectUuid, request, cancellationToken));

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

    /// <summary>The whole result as JSON lines, or as an Arrow IPC stream.</summary>
    /// <remarks>
    /// Streams every row of a ready query, one JSON object per line keyed by field id
    /// (<c>application/x-ndjson</c>). Nothing is buffered: the body is copied from the results
    /// storage as it arrives (or, without S3, re-fetched from the warehouse).
    ///
    /// With <c>Accept: application/vnd.apache.arrow.stream</c> the answer is an Arrow IPC stream of typed
    /// columns instead: int64 for whole numbers, decimal128 with the column's declared precision and scale
    /// (utf8 with the exact text when it declares none), float64, date32, timestamp[us] (zone UTC for types
    /// with a time zone), bool, and utf8 for text and JSON. Record batches hold at most 65,536 rows (fewer
    /// when text is large); each field's metadata names its warehouse type (<c>lightdash.warehouse_type</c>).
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The rows, one JSON object per line (or an Arrow stream, as asked).</response>
    /// <response code="404">The project or the query does not exist.</response>
    /// <response code="409">The query is not ready.</response>
    [HttpGet("{queryUuid}/results")]
    [Produces("application/x-ndjson", ArrowResultWriter.MediaType, "application/json")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/x-ndjson", ArrowResultWriter.MediaType)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task GetAllResults(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var query = await queries.GetReadyQueryAsync(Caller, projectUuid, queryUuid, cancellationToken);
        if (AcceptNegotiation.Prefers(Request, ArrowResultWriter.MediaType, "application/x-ndjson"))
        {
            Response.ContentType = ArrowResultWriter.MediaType;
            await arrow.WriteAsync(HistoryResultSources.Of(query), Response.Body, cancellationToken);
            return;
        }

        Response.ContentType = "application/x-ndjson";
        await queries.WriteAllResultsAsync(query, Response.BodyWriter, cancellationToken);
        await Response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>A ready result as chunks to download in parallel, straight from the results storage.</summary>
    /// <remarks>
    /// Lists the stored result's chunks in row order (a few MB each): each with its first row, row count,
    /// byte count and a presigned URL that expires (<c>ResultsStorage:ChunkUrlLifetime</c>, 15 minutes),
    /// to be fetched with exactly the headers given in <c>httpHeaders</c> (a signed <c>Range</c>) and never
    /// with the Lightdash token. Each chunk is the rows as JSON lines, gzip-compressed when
    /// <c>encoding</c> is <c>gzip</c>; concatenated in order the chunks are the whole result, as
    /// <c>GET .../results</c> streams it. Asking again renews the links. Needs results storage (S3).
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The manifest.</response>
    /// <response code="404">The project or the query does not exist.</response>
    /// <response code="409">The query is not ready, or no results storage is configured.</response>
    [HttpGet("{queryUuid}/chunks")]
    [ProducesResponseType<ApiResponse<ResultChunkManifest>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<ResultChunkManifest>> GetChunks(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await chunks.GetManifestAsync(Caller, projectUuid, queryUuid, cancellationToken));

    /// <summary>A download link for a ready query's results.</summary>
    /// <remarks>
    /// <c>type: "csv"</c> writes a CSV export (header row, RFC 4180 quoting, UTF-8) next to the
    /// results and links to it; <c>type: "jsonl"</c> links to the stored results themselves (a
    /// <c>.jsonl.gz</c> file when results are stored compressed). Links
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

    /// <summary>A query's completion callback: its address, state and every call made.</summary>
    /// <remarks>
    /// The callback (given as <c>callback</c> on any execute route) is sent once the query ends; a failed call
    /// is tried again with backoff (<c>Deliveries:WebhookAttempts</c> tries in all). Each call is listed
    /// with the receiver's status or what went wrong.
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The callback.</response>
    /// <response code="404">The project or the query does not exist, or the query has no callback.</response>
    [HttpGet("{queryUuid}/callback")]
    [ProducesResponseType<ApiResponse<QueryCallbackResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<QueryCallbackResults>> GetCallback(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await history.GetCallbackAsync(Caller, projectUuid, queryUuid, cancellationToken));
}
