namespace Lightdash.Net.Backend.Deliveries;

/// <summary>A scheduler's target as stored (with its webhook secret).</summary>
/// <param name="Type"><c>webhook</c>, <c>s3</c> or <c>email</c>.</param>
/// <param name="Url">Webhook URL.</param>
/// <param name="Secret">Webhook signing secret.</param>
/// <param name="Prefix">S3 prefix.</param>
/// <param name="Recipients">Email recipients.</param>
public sealed record SchedulerTarget(string Type, string? Url, string? Secret, string? Prefix, IReadOnlyList<string>? Recipients)
{
    /// <summary>The targets of a scheduler's stored JSON array.</summary>
    public static SchedulerTarget[] ListOf(string targetsJson) =>
        System.Text.Json.JsonSerializer.Deserialize<SchedulerTarget[]>(targetsJson, System.Text.Json.JsonSerializerOptions.Web) ?? [];
}
