namespace Lightdash.Net.Backend.Platform;

/// <summary>Registers what every capability stands on.</summary>
public static class PlatformExtensions
{
    /// <summary>Adds the metadata database (migrated first at start-up), the HTTP surface with its error envelope and health checks, and telemetry.</summary>
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder) =>
        builder.AddMetadataDatabase().AddApi().AddTelemetry();
}
