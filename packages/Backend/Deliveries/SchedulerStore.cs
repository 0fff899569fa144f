using Dapper;
using Lightdash.Net.Backend.Access;
using Npgsql;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>A scheduled delivery's row.</summary>
public sealed record SchedulerRecord
{
    /// <summary>Its id.</summary>
    public Guid SchedulerUuid { get; init; }

    /// <summary>The project.</summary>
    public Guid ProjectUuid { get; init; }

    /// <summary>Its owner.</summary>
    public Guid OwnerUuid { get; init; }

    /// <summary>Its name.</summary>
    public string Name { get; init; } = "";

    /// <summary><c>chart</c>, <c>sqlChart</c> or <c>dashboard</c>.</summary>
    public string ResourceType { get; init; } = "";

    /// <summary>What it delivers.</summary>
    public Guid ResourceUuid { get; init; }

    /// <summary>Its cron expression.</summary>
    public string Cron { get; init; } = "";

    /// <summary>Its time zone.</summary>
    public string Timezone { get; init; } = "UTC";

    /// <summary>The file format.</summary>
    public string Format { get; init; } = "csv";

    /// <summary>The targets (JSON array).</summary>
    public string TargetsJson { get; init; } = "[]";

    /// <summary>False while paused.</summary>
    public bool Enabled { get; init; }

    /// <summary>When it was created.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTime UpdatedAt { get; init; }
}

/// <summary>Reads and writes <c>schedulers</c>.</summary>
public sealed class SchedulerStore(NpgsqlDataSource dataSource, SecretBox secrets)
{
    private const string Columns = """
        scheduler_uuid AS SchedulerUuid, project_uuid AS ProjectUuid, owner_uuid AS OwnerUuid, name AS Name, resource_type AS ResourceType,
        resource_uuid AS ResourceUuid, cron AS Cron, timezone AS Timezone, format AS Format, targets::text AS TargetsJson, enabled AS Enabled,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string UpsertSql = $"""
        INSERT INTO schedulers (scheduler_uuid, project_uuid, owner_uuid, name, resource_type, resource_uuid, cron, timezone, format, targets, enabled)
        VALUES (@SchedulerUuid, @ProjectUuid, @OwnerUuid, @Name, @ResourceType, @ResourceUuid, @Cron, @Timezone, @Format, CAST(@TargetsJson AS jsonb), @Enabled)
        ON CONFLICT (scheduler_uuid) DO UPDATE SET name = EXCLUDED.name, resource_type = EXCLUDED.resource_type, resource_uuid = EXCLUDED.resource_uuid,
            cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, format = EXCLUDED.format, targets = EXCLUDED.targets, enabled = EXCLUDED.enabled, updated_at = now()
        RETURNING {Columns}
        """;

    /// <summary>Creates or replaces a scheduler; returns it as stored.</summary>
    public async Task<SchedulerRecord> SaveAsync(SchedulerRecord scheduler, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stored = await connection.QuerySingleAsync<SchedulerRecord>(new CommandDefinition(
            UpsertSql, scheduler with { TargetsJson = secrets.TransformSecretsInJson(scheduler.TargetsJson, TargetsColumn, protect: true) }, cancellationToken: cancellationToken));
        return Readable(stored);
    }

    /// <summary>The scheduler, or null.</summary>
    public async Task<SchedulerRecord?> FindAsync(Guid schedulerUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<SchedulerRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM schedulers WHERE scheduler_uuid = @schedulerUuid", new { schedulerUuid }, cancellationToken: cancellationToken));
        return stored is null ? null : Readable(stored);
    }

    /// <summary>The project's schedulers (only the owner's when <paramref name="ownerUuid"/> is given), newest first.</summary>
    public async Task<IReadOnlyList<SchedulerRecord>> ListAsync(Guid projectUuid, Guid? ownerUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SchedulerRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM schedulers WHERE project_uuid = @projectUuid AND (@ownerUuid IS NULL OR owner_uuid = @ownerUuid) ORDER BY created_at DESC",
            new { projectUuid, ownerUuid }, cancellationToken: cancellationToken))).Select(Readable).ToList();
    }

    /// <summary>Every scheduler (to register their recurring jobs at start-up).</summary>
    public async Task<IReadOnlyList<SchedulerRecord>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SchedulerRecord>(new CommandDefinition($"SELECT {Columns} FROM schedulers", cancellationToken: cancellationToken))).Select(Readable).ToList();
    }

    /// <summary>Deletes the scheduler (its deliveries with it).</summary>
    public async Task DeleteAsync(Guid schedulerUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM schedulers WHERE scheduler_uuid = @schedulerUuid", new { schedulerUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>The encrypted column (the associated data of its webhook secrets).</summary>
    public const string TargetsColumn = "schedulers.targets";

    // Webhook secrets are stored encrypted inside the targets JSON.
    private SchedulerRecord Readable(SchedulerRecord stored) =>
        stored with { TargetsJson = secrets.TransformSecretsInJson(stored.TargetsJson, TargetsColumn, protect: false) };
}
