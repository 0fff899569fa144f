using Hangfire;
using Hangfire.PostgreSql;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries;

/// <summary>Registers query execution: warehouses, the Hangfire queue and its workers, and the query service.</summary>
public static class QueriesExtensions
{
    /// <summary>Adds everything that runs queries and serves their pages.</summary>
    public static WebApplicationBuilder AddQueries(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<QueryExecutionOptions>()
            .BindConfiguration(QueryExecutionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<QueryHistoryStore>();
        services.AddSingleton<QueryCacheStore>();
        services.AddSingleton<ResultsExpiryStore>();
        services.AddSingleton<QueryLeaseStore>();
        services.AddSingleton<QueryCallbackStore>();
        services.AddSingleton<QueryCallbackJob>();
        services.AddSingleton<RunningQueries>();
        services.AddSingleton<QueryStatusBroadcast>();
        services.AddSingleton<QueryStatusCache>();
        services.AddSingleton<IMetadataNotificationHandler, QueryStatusNotifications>();
        services.AddSingleton<QueryWaiter>();
        services.AddSingleton<SubmissionQuotas>();
        services.AddSingleton<UsageStore>();
        services.AddSingleton<AsyncQueryService>();
        services.AddSingleton<IProjectDataRemoval, ProjectQueriesRemoval>();
        services.AddSingleton<BatchQueryService>();
        services.AddTransient<ResultsExpiryJob>();
        services.AddTransient<LeaseReaperJob>();
        services.AddSingleton<QueryQueue>();
        services.AddSingleton<HeldQueriesStore>();
        services.AddSingleton<HeldQueries>();
        services.AddSingleton<QueryDownloadService>();
        services.AddSingleton<Chunks.ResultChunksService>();
        services.AddSingleton<QueryHistoryService>();
        services.AddTransient<RunQueryJob>();
        services.AddSingleton<ComposeDatabase>();
        // DuckDB's code (composed queries, DuckDB projects), resident after one use: paged out when quiet.
        services.AddSingleton<IReleasableMemory>(new MappedLibraryPages(ComposeDatabase.NativeLibrary));
        services.AddSingleton<ComposeService>();

        var roles = InstanceRoles.From(builder.Configuration);
        services.AddQueryWorkers(roles);
        services.AddRecurringJob(ResultsExpiryJob.RecurringJobId, (jobs, sp) => jobs.AddOrUpdate<ResultsExpiryJob>(
            ResultsExpiryJob.RecurringJobId, Workloads.SystemQueue, job => job.RunAsync(CancellationToken.None), sp.GetRequiredService<IOptions<QueryExecutionOptions>>().Value.ExpirySweepCron, new RecurringJobOptions()));
        services.AddRecurringJob(LeaseReaperJob.RecurringJobId, (jobs, sp) => jobs.AddOrUpdate<LeaseReaperJob>(
            LeaseReaperJob.RecurringJobId, Workloads.SystemQueue, job => job.RunAsync(CancellationToken.None), sp.GetRequiredService<IOptions<QueryExecutionOptions>>().Value.ReaperCron, new RecurringJobOptions()));
        services.AddRecurringJob(QueryCallbackJob.RecurringJobId, (jobs, _) => jobs.AddOrUpdate<QueryCallbackJob>(
            QueryCallbackJob.RecurringJobId, Workloads.SystemQueue, job => job.SweepAsync(CancellationToken.None), Cron.Minutely(), new RecurringJobOptions()));
        if (roles.RunsScheduler)
        {
            services.AddHostedService<RecurringJobsRegistration>();
        }

        return builder;
    }

    /// <summary>Hangfire on the metadata database: the queue every instance shares, and this instance's workers (the <c>worker</c> role).</summary>
    private static void AddQueryWorkers(this IServiceCollection services, InstanceRoles roles)
    {
        services.AddSingleton<JobQueueWake>();
        services.AddHangfire((sp, config) =>
        {
            var database = sp.GetRequiredService<IOptions<MetadataDatabaseOptions>>().Value;
            var execution = sp.GetRequiredService<IOptions<QueryExecutionOptions>>().Value;
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = database.HangfireSchema,
                // Installed by the metadata migrator, under its lock, before anything starts.
                PrepareSchemaIfNecessary = false,
                // Workers are woken by JobQueueWake, not by the storage's long polling (see there why).
                EnableLongPolling = false,
                QueuePollInterval = execution.QueuePollInterval,
                // A job taken by an instance that died before claiming its query is taken again; a
                // running job keeps its own alive, so however long it runs no one else takes it.
                InvisibilityTimeout = execution.JobInvisibilityTimeout,
                UseSlidingInvisibilityTimeout = true,
            };
            var storage = config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(storage => storage.UseNpgsqlConnection(database.ConnectionString), options)
                .Entry;
            // Every queue of this backend: enqueues announce themselves, idle workers are woken by them.
            storage.QueueProviders.Add(
                new WakingJobQueueProvider(new PostgreSqlJobQueueProvider(storage, options), sp.GetRequiredService<JobQueueWake>()),
                Workloads.AllQueues);
        });
        if (!roles.RunsWorkers)
        {
            return;
        }

        services.AddSingleton<IMetadataNotificationHandler>(sp => sp.GetRequiredService<JobQueueWake>());
        services.AddHostedService<HeldQueriesSweeper>();
        services.AddHealthChecks().AddCheck<WorkersHealthCheck>("queryWorkers", tags: [ApiExtensions.ReadyTag]);
        // A pool of workers per workload class: a burst of exports or deliveries never takes the workers
        // people wait on. Within a class the queues rank by priority.
        foreach (var workload in Enum.GetValues<WorkloadClass>())
        {
            services.AddHangfireServer((sp, server) =>
            {
                var execution = sp.GetRequiredService<IOptions<QueryExecutionOptions>>().Value;
                server.WorkerCount = execution.WorkersOf(workload);
                server.ServerName = $"{RunQueryJob.ServerName}:{workload.ToString().ToLowerInvariant()}";
                server.Queues = Workloads.QueuesOf(workload);
                // Delayed jobs (retries of webhooks and callbacks) are moved to their queues by any server's
                // scheduler: the system server looks every second, the others rarely (each look costs the
                // metadata database a locked transaction).
                server.SchedulePollingInterval = workload == WorkloadClass.System ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(15);
            });
        }
    }

    /// <summary>
    /// Adds a recurring Hangfire job, registered (or updated) at start-up once Hangfire's storage is
    /// ready; every capability with a periodic task adds its own.
    /// </summary>
    public static IServiceCollection AddRecurringJob(this IServiceCollection services, string id, Action<IRecurringJobManager, IServiceProvider> addOrUpdate) =>
        services.AddSingleton(new RecurringJobDefinition(id, addOrUpdate));

    /// <summary>Registers (or updates) the recurring jobs once Hangfire's storage is ready.</summary>
    private sealed class RecurringJobsRegistration(
        IRecurringJobManager recurringJobs, IEnumerable<RecurringJobDefinition> definitions, IServiceProvider services, ILogger<RecurringJobsRegistration> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var definition in definitions)
            {
                Register(definition);
            }

            return Task.CompletedTask;
        }

        // Another instance holding the recurring job's lock (its scheduler, or its own start) registers the
        // same definition: waiting for it must not stop this instance from starting.
        private void Register(RecurringJobDefinition definition)
        {
            try
            {
                definition.AddOrUpdate(recurringJobs, services);
            }
            catch (Hangfire.Storage.DistributedLockTimeoutException e)
            {
                logger.LogWarning(e, "Recurring job {RecurringJobId} is locked by another instance; left as it registered it", definition.Id);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
