using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Platform;

/// <summary>The PostgreSQL database holding projects, query history and Hangfire's job queue.</summary>
public sealed class MetadataDatabaseOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "MetadataDatabase";

    /// <summary>An Npgsql connection string.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema of Hangfire's tables.</summary>
    [Required]
    public string HangfireSchema { get; set; } = "hangfire";
}
