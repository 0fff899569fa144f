namespace Lightdash.Net.Backend.Platform;

/// <summary>Registers what every capability stands on.</summary>
public static class PlatformExtensions
{
    /// <summary>Adds the metadata database (migrated first at start-up), the HTTP surface with its error envelope and health checks, telemetry, the sender of webhooks to users' addresses, and the giving back of memory after heavy work.</summary>
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(InstanceRoles.From(builder.Configuration));
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Redirects are not followed: a webhook answers itself, and a redirect could lead anywhere.
        builder.Services.AddHttpClient<WebhookSender>().ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        builder.Services.AddOptions<IdleMemoryOptions>().BindConfiguration(IdleMemoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Before the host starts its threads: glibc fixes its arena limit when the first arenas are made.
        var memory = builder.Configuration.GetSection(IdleMemoryOptions.Section).Get<IdleMemoryOptions>() ?? new IdleMemoryOptions();
        NativeAllocator.LimitArenas(memory.NativeAllocatorArenas);
        builder.Services.AddHostedService<IdleMemoryReleaser>();
        return builder.AddMetadataDatabase().AddApi().AddTelemetry();
    }
}
