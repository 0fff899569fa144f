using Hangfire;
using Hangfire.PostgreSql;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Deliveries;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.Statements;
using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries;

/// <summary>Registers query execution: warehouses, the Hangfire queue and its workers, and the query service.</summary>
public static class QueryExecutionExtensions
{
    /// <summary>Adds everything that runs queries and serves their pages.</summary>
    public static WebApplicationBuilder AddQueryExecution(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<QueryExecutionOptions>()
            .BindConfiguration(QueryExecutionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<WarehouseSecurityOptions>().BindConfiguration(WarehouseSecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var security = sp.GetRequiredService<IOptions<WarehouseSecurityOptions>>().Value;
            return new WarehouseClientFactory(
                new WarehouseSecurityPolicy(security.AllowPrivilegedLogins),
                new Warehouses.DuckDb.DuckDbLimits(security.DuckDbMemoryLimit, security.DuckDbThreads));
        });
        services.AddSingleton<RunningQueries>();
        services.AddSingleton<StreamingScheduler>();
        services.AddSingleton<QueryStatusBroadcast>();
        services.AddHostedService<MetadataNotificationListener>();
        services.AddSingleton<QueryWaiter>();
        services.AddSingleton<AsyncQueryService>();
        services.AddSingleton<BatchQueryService>();
        services.AddTransient<ResultsExpiryJob>();
        services.AddTransient<LeaseReaperJob>();
        services.AddSingleton<QueryQueue>();
        services.AddSingleton<QueryDownloadService>();
        services.AddSingleton<QueryHistoryService>();
        services.AddTransient<RunQueryJob>();
        services.AddSingleton<ComposeDatabase>();
        services.AddSingleton<ComposeService>();
        services.AddSingleton<FieldValuesService>();
        services.AddSingleton<TotalsService>();
        services.AddSingleton<MergeQueryService>();
        services.AddOptions<ExportsOptions>().BindConfiguration(ExportsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ExportJobStore>();
        services.AddSingleton<ExportService>();
        services.AddSingleton<ExportRunner>();

        services.AddHangfire((sp, config) =>
        {
            var database = sp.GetRequiredService<IOptions<MetadataDatabaseOptions>>().Value;
            var execution = sp.GetRequiredService<IOptions<QueryExecutionOptions>>().Value;
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(
                    storage => storage.UseNpgsqlConnection(database.ConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = database.HangfireSchema,
                        PrepareSchemaIfNecessary = true,
                        // Workers wake on NOTIFY when a job is enqueued: pick-up in milliseconds, not a poll period.
                        EnableLongPolling = true,
                        QueuePollInterval = execution.QueuePollInterval,
                    });
        });
        services.AddHangfireServer((sp, server) =>
        {
            server.WorkerCount = sp.GetRequiredService<IOptions<QueryExecutionOptions>>().Value.WorkerCount;
            server.ServerName = RunQueryJob.ServerName;
            // Queries held back by a user's limit are scheduled a second later: look for them every second.
            server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        services.AddHostedService<RecurringJobsRegistration>();
        return builder;
    }

    /// <summary>Registers (or updates) the recurring jobs once Hangfire's storage is ready.</summary>
    private sealed class RecurringJobsRegistration(
        IRecurringJobManager recurringJobs, IOptions<QueryExecutionOptions> options, IOptions<StatementsOptions> statements, ILogger<RecurringJobsRegistration> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Register(ResultsExpiryJob.RecurringJobId, () => recurringJobs.AddOrUpdate<ResultsExpiryJob>(
                ResultsExpiryJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), options.Value.ExpirySweepCron));
            Register(LeaseReaperJob.RecurringJobId, () => recurringJobs.AddOrUpdate<LeaseReaperJob>(
                LeaseReaperJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), options.Value.ReaperCron));
            Register(ExportRunner.RecurringJobId, () => recurringJobs.AddOrUpdate<ExportRunner>(
                ExportRunner.RecurringJobId, job => job.MaintainAsync(CancellationToken.None), options.Value.ReaperCron));
            Register(StatementCleanup.RecurringJobId, () => recurringJobs.AddOrUpdate<StatementCleanup>(
                StatementCleanup.RecurringJobId, job => job.RunAsync(CancellationToken.None), statements.Value.CleanupCron));
            return Task.CompletedTask;
        }

        // Another instance holding the recurring job's lock (its scheduler, or its own start) registers the
        // same definition: waiting for it must not stop this instance from starting.
        private void Register(string id, Action register)
        {
            try
            {
                register();
            }
            catch (Hangfire.Storage.DistributedLockTimeoutException e)
            {
                logger.LogWarning(e, "Recurring job {RecurringJobId} is locked by another instance; left as it registered it", id);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
