using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries;

/// <summary>Hands out download links: the stored JSONL as it is, or a CSV export written next to it.</summary>
public sealed class QueryDownloadService(
    AsyncQueryService queries,
    IResultsStore results,
    ResultsBucketClient storage,
    ResultExporter exporter,
    IOptions<ResultsStorageOptions> options,
    IOptions<ExportsOptions> exportOptions,
    ILogger<QueryDownloadService> logger)
{
    private static readonly string[] Types = ["csv", "jsonl"];

    /// <summary>A presigned URL of the requested file.</summary>
    public async Task<DownloadResults> DownloadAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, DownloadRequest request, CancellationToken cancellationToken)
    {
        var type = string.IsNullOrWhiteSpace(request.Type) ? "csv" : request.Type.Trim().ToLowerInvariant();
        if (!Types.Contains(type))
        {
            throw new ValidationException($"type must be one of {string.Join(", ", Types)} (got \"{request.Type}\").");
        }

        var query = await queries.GetReadyQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        if (!results.HasFiles)
        {
            throw new ConflictException("Downloads need results storage (S3), and none is configured.");
        }

        if (type == "csv" && query.TotalRowCount > exportOptions.Value.SyncDownloadMaxRows)
        {
            throw new ConflictException(
                $"Query {queryUuid} has {query.TotalRowCount} rows; a download of more than {exportOptions.Value.SyncDownloadMaxRows} rows runs as a job: " +
                $"POST /api/v2/projects/{projectUuid}/query/{queryUuid}/schedule-download, then poll GET /api/v1/schedulers/job/{{jobId}}/status.");
        }

        var expires = DateTime.UtcNow.Add(options.Value.DownloadUrlLifetime);
        string url;
        if (type == "csv")
        {
            var exportKey = ResultsObjectKeys.NewExportKey(options.Value.Prefix, projectUuid, queryUuid, "csv");
            await exporter.ExportAsync(new ExportSpec(HistoryResultSources.Of(query), ExportFormat.Csv), exportKey, _ => { }, cancellationToken);
            logger.LogInformation("Query {QueryUuid} exported as CSV to {Key}", queryUuid, exportKey);
            url = await ExportLinks.PresignAsync(storage, exportKey, ExportFormat.Csv, $"{queryUuid}.csv", expires);
        }
        else if (ResultsObjectKeys.CompressionOf(query.ResultsFileName!) == ResultsCompression.Gzip)
        {
            // The stored gzip is one member per block of rows (each readable by range), and browsers decode only
            // the first member of a Content-Encoding: gzip answer: it is served as the .jsonl.gz file it is.
            url = await storage.PresignGetAsync(query.ResultsFileName!, expires, new Amazon.S3.Model.ResponseHeaderOverrides
            {
                ContentType = "application/gzip",
                ContentDisposition = $"attachment; filename=\"{queryUuid}.jsonl.gz\"",
            });
        }
        else
        {
            url = await storage.PresignGetAsync(query.ResultsFileName!, expires);
        }

        return new DownloadResults
        {
            FileUrl = url,
            Type = type,
            Truncated = false,
            ExpiresAt = new DateTimeOffset(expires),
        };
    }
}
