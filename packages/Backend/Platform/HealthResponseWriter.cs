using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Writes a health report as JSON: the overall status and each check's status and description.</summary>
public static class HealthResponseWriter
{
    /// <summary>The response writer for <c>MapHealthChecks</c>.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(
            new
            {
                status = report.Status.ToString().ToLowerInvariant(),
                checks = report.Entries.ToDictionary(
                    e => e.Key,
                    e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
            },
            JsonSerializerOptions.Web);
    }
}
