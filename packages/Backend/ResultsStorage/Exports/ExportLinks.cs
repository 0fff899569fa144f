using Amazon.S3.Model;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>Presigned links to export files, served as their format (decoded by the client where stored gzip-compressed) under their file name.</summary>
public static class ExportLinks
{
    /// <summary>A link to the file at <paramref name="key"/> that works until <paramref name="expires"/>.</summary>
    public static Task<string> PresignAsync(ResultsBucketClient storage, string key, ExportFormat format, string fileName, DateTime expires) =>
        storage.PresignGetAsync(key, expires, new ResponseHeaderOverrides
        {
            ContentType = format.ContentTypeOf(),
            // CSV and JSON lines are stored gzip-compressed: browsers and HTTP clients decode them.
            ContentEncoding = ResultExporter.IsStoredCompressed(format) ? "gzip" : null,
            ContentDisposition = $"attachment; filename=\"{fileName}\"",
        });
}
