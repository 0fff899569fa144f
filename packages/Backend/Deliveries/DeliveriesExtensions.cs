using Hangfire;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.Execution;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>Registers export jobs and scheduled deliveries.</summary>
public static class DeliveriesExtensions
{
    /// <summary>Adds export jobs (and their upkeep, a recurring job) and scheduled deliveries: schedulers, their runs, and the webhook, S3 and email senders.</summary>
    public static WebApplicationBuilder AddDeliveries(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DeliveriesOptions>().BindConfiguration(DeliveriesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ExportJobStore>();
        services.AddSingleton<ExportService>();
        services.AddSingleton<ExportRunner>();
        services.AddRecurringJob(ExportRunner.RecurringJobId, (jobs, sp) => jobs.AddOrUpdate<ExportRunner>(
            ExportRunner.RecurringJobId, Workloads.SystemQueue, job => job.MaintainAsync(CancellationToken.None), sp.GetRequiredService<IOptions<QueryExecutionOptions>>().Value.ReaperCron,
            new RecurringJobOptions()));
        services.AddSingleton<SchedulerStore>();
        services.AddSingleton<IStoredSecretSet, SchedulerSecrets>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<SchedulerService>();
        services.AddSingleton<DeliveryRunner>();
        services.AddSingleton<WebhookDeliveries>();
        if (InstanceRoles.From(builder.Configuration).RunsScheduler)
        {
            services.AddHostedService<SchedulerReconciliation>();
        }
        services.AddSingleton<EmailSender>();
        return builder;
    }
}
