namespace Lightdash.Net.Backend.Deliveries;

/// <summary>Registers scheduled deliveries.</summary>
public static class DeliveriesExtensions
{
    /// <summary>Adds scheduled deliveries: schedulers, their runs, and the webhook, S3 and email senders.</summary>
    public static WebApplicationBuilder AddDeliveries(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DeliveriesOptions>().BindConfiguration(DeliveriesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SchedulerStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<SchedulerService>();
        services.AddSingleton<DeliveryRunner>();
        services.AddSingleton<WebhookDeliveries>();
        services.AddHostedService<SchedulerReconciliation>();
        services.AddSingleton<EmailSender>();
        // Redirects are not followed: a webhook answers itself, and a redirect could lead anywhere.
        services.AddHttpClient<WebhookSender>().ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return builder;
    }
}
