using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Registers OpenTelemetry: the backend's spans and metrics, ASP.NET Core, HttpClient (S3) and Npgsql instrumentation, OTLP and Prometheus exporters.</summary>
public static class TelemetryExtensions
{
    /// <summary>The Prometheus scrape route.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Adds tracing and metrics; exporters as <see cref="TelemetryOptions"/> say.</summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section);
        var otlp = string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? null : new Uri(options.OtlpEndpoint);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(LightdashTelemetry.Name)
                    .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
                }
            })
            .WithMetrics(metrics =>
            {
                // System.Runtime: the runtime's own meter (GC heap sizes, working set, thread pool, lock contention).
                metrics.AddMeter(LightdashTelemetry.Name, "System.Runtime").AddAspNetCoreInstrumentation();
                if (options.PrometheusEndpoint)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
                }
            });
        return builder;
    }

    /// <summary>Maps the Prometheus scrape route (organisation admins' tokens only), when enabled.</summary>
    public static WebApplication UseTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>()?.PrometheusEndpoint ?? true)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ApiAuthentication.AdminsOnlyPolicy);
        }

        return app;
    }
}
