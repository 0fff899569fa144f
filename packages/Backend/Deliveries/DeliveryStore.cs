using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>A delivery's row.</summary>
public sealed class DeliveryRecord
{
    /// <summary>Its id.</summary>
    public Guid DeliveryUuid { get; init; }

    /// <summary>Its scheduler.</summary>
    public Guid SchedulerUuid { get; init; }

    /// <summary><c>schedule</c> or <c>manual</c>.</summary>
    public string Trigger { get; init; } = "";

    /// <summary><c>running</c>, <c>delivered</c>, <c>partial</c> or <c>failed</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>What went wrong.</summary>
    public string? Error { get; init; }

    /// <summary>Its files (JSON array).</summary>
    public string? FilesJson { get; init; }

    /// <summary>When it started.</summary>
    public DateTime StartedAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTime? FinishedAt { get; init; }
}

/// <summary>One attempt's row.</summary>
public sealed class DeliveryAttemptRecord
{
    /// <summary>The delivery.</summary>
    public Guid DeliveryUuid { get; init; }

    /// <summary>The target's position.</summary>
    public int TargetIndex { get; init; }

    /// <summary>The target's type.</summary>
    public string TargetType { get; init; } = "";

    /// <summary>The attempt's number.</summary>
    public int Attempt { get; init; }

    /// <summary>Whether it succeeded.</summary>
    public bool Succeeded { get; init; }

    /// <summary>An HTTP status, or null.</summary>
    public int? StatusCode { get; init; }

    /// <summary>What went wrong.</summary>
    public string? Error { get; init; }

    /// <summary>How long it took; null for a failed webhook call.</summary>
    public long? DurationMs { get; init; }

    /// <summary>When it was made.</summary>
    public DateTime AttemptedAt { get; init; }
}

/// <summary>Reads and writes <c>deliveries</c> and <c>delivery_attempts</c>.</summary>
public sealed class DeliveryStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        delivery_uuid AS DeliveryUuid, scheduler_uuid AS SchedulerUuid, trigger AS Trigger, status AS Status, error AS Error,
        files::text AS FilesJson, started_at AS StartedAt, finished_at AS FinishedAt
        """;

    private const string AttemptColumns = """
        delivery_uuid AS DeliveryUuid, target_index AS TargetIndex, target_type AS TargetType, attempt AS Attempt, succeeded AS Succeeded,
        status_code AS StatusCode, error AS Error, duration_ms AS DurationMs, attempted_at AS AttemptedAt
        """;

    /// <summary>Records a delivery that starts now.</summary>
    public async Task StartAsync(Guid deliveryUuid, Guid schedulerUuid, string trigger, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO deliveries (delivery_uuid, scheduler_uuid, trigger) VALUES (@deliveryUuid, @schedulerUuid, @trigger)",
            new { deliveryUuid, schedulerUuid, trigger }, cancellationToken: cancellationToken));
    }

    /// <summary>Records the files of a running delivery (its later webhook tries send them again).</summary>
    public async Task SaveFilesAsync(Guid deliveryUuid, string filesJson, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET files = CAST(@filesJson AS jsonb) WHERE delivery_uuid = @deliveryUuid", new { deliveryUuid, filesJson }, cancellationToken: cancellationToken));
    }

    /// <summary>Records how a delivery ended; false when it had ended already (the first to finish it wins).</summary>
    public async Task<bool> FinishAsync(Guid deliveryUuid, string status, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET status = @status, error = @error, finished_at = now() WHERE delivery_uuid = @deliveryUuid AND status = 'running'",
            new { deliveryUuid, status, error }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>The delivery, or null.</summary>
    public async Task<DeliveryRecord?> FindAsync(Guid deliveryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE delivery_uuid = @deliveryUuid", new { deliveryUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>The delivery's attempts, by target and attempt.</summary>
    public async Task<IReadOnlyList<DeliveryAttemptRecord>> AttemptsAsync(Guid deliveryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DeliveryAttemptRecord>(new CommandDefinition(
            $"SELECT {AttemptColumns} FROM delivery_attempts WHERE delivery_uuid = @deliveryUuid ORDER BY target_index, attempt",
            new { deliveryUuid }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Records one attempt to send to a target.</summary>
    public async Task RecordAttemptAsync(DeliveryAttemptRecord attempt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO delivery_attempts (delivery_uuid, target_index, target_type, attempt, succeeded, status_code, error, duration_ms)
            VALUES (@DeliveryUuid, @TargetIndex, @TargetType, @Attempt, @Succeeded, @StatusCode, @Error, @DurationMs)
            """, attempt, cancellationToken: cancellationToken));
    }

    /// <summary>The scheduler's latest deliveries with their attempts, newest first.</summary>
    public async Task<IReadOnlyList<(DeliveryRecord Delivery, IReadOnlyList<DeliveryAttemptRecord> Attempts)>> ListAsync(Guid schedulerUuid, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var deliveries = (await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE scheduler_uuid = @schedulerUuid ORDER BY started_at DESC LIMIT @limit",
            new { schedulerUuid, limit }, cancellationToken: cancellationToken))).ToList();
        var ids = deliveries.Select(d => d.DeliveryUuid).ToArray();
        var attempts = (await connection.QueryAsync<DeliveryAttemptRecord>(new CommandDefinition(
            $"SELECT {AttemptColumns} FROM delivery_attempts WHERE delivery_uuid = ANY(@ids) ORDER BY target_index, attempt", new { ids }, cancellationToken: cancellationToken))).ToLookup(a => a.DeliveryUuid);
        return deliveries.Select(d => (d, (IReadOnlyList<DeliveryAttemptRecord>)attempts[d.DeliveryUuid].ToList())).ToList();
    }
}
