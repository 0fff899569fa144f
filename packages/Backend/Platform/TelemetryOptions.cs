namespace Lightdash.Net.Backend.Platform;

/// <summary>Traces and metrics (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Telemetry";

    /// <summary>An OTLP endpoint (for example <c>http://127.0.0.1:4317</c>) to export traces and metrics to; none when empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Serve metrics in Prometheus' format at <c>/metrics</c> to organisation admins (default on).</summary>
    public bool PrometheusEndpoint { get; set; } = true;

    /// <summary>The service name on every span and metric.</summary>
    public string ServiceName { get; set; } = "lightdash-net";
}
