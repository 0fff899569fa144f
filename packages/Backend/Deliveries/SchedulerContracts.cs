namespace Lightdash.Net.Backend.Deliveries;

/// <summary>A scheduled delivery to create or change.</summary>
public sealed class SchedulerRequest
{
    /// <summary>Its name (1 to 200 characters).</summary>
    public string? Name { get; init; }

    /// <summary>What it delivers: <c>chart</c> (a saved chart), <c>sqlChart</c> or <c>dashboard</c> (every chart tile).</summary>
    public string? ResourceType { get; init; }

    /// <summary>The chart's, SQL chart's or dashboard's id (in the same project).</summary>
    public Guid? ResourceUuid { get; init; }

    /// <summary>When: a cron expression of five fields (minute hour day month weekday) or six (with seconds first).</summary>
    public string? Cron { get; init; }

    /// <summary>The time zone the cron expression is read in (an IANA name such as <c>Europe/London</c>); default <c>UTC</c>.</summary>
    public string? Timezone { get; init; }

    /// <summary>The file format: <c>csv</c> (default), <c>xlsx</c> or <c>parquet</c>.</summary>
    public string? Format { get; init; }

    /// <summary>Where to send it (1 to 10 targets).</summary>
    public IReadOnlyList<SchedulerTargetRequest>? Targets { get; init; }

    /// <summary>False to create it paused; default true.</summary>
    public bool? Enabled { get; init; }
}

/// <summary>One place a delivery goes.</summary>
public sealed class SchedulerTargetRequest
{
    /// <summary><c>webhook</c>, <c>s3</c> or <c>email</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Webhook: the http(s) URL that receives a POST of the JSON payload.</summary>
    public string? Url { get; init; }

    /// <summary>Webhook: the secret the payload is signed with (HMAC-SHA256 in <c>X-Lightdash-Signature: sha256=...</c>); kept, never shown again. Optional.</summary>
    public string? Secret { get; init; }

    /// <summary>S3: the key prefix the files are copied under (within the project's deliveries folder of <c>Deliveries:S3Bucket</c>).</summary>
    public string? Prefix { get; init; }

    /// <summary>Email: the recipients (1 to 50 addresses).</summary>
    public IReadOnlyList<string>? Recipients { get; init; }
}

/// <summary>Pauses or resumes a scheduled delivery.</summary>
public sealed class SchedulerEnabledRequest
{
    /// <summary>True to run on its schedule, false to pause it.</summary>
    public bool? Enabled { get; init; }
}

/// <summary>A scheduled delivery.</summary>
public sealed class SchedulerResults
{
    /// <summary>Its id.</summary>
    public required Guid SchedulerUuid { get; init; }

    /// <summary>The project.</summary>
    public required Guid ProjectUuid { get; init; }

    /// <summary>Its owner: deliveries run with the owner's access and attributes at delivery time.</summary>
    public required Guid OwnerUuid { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary><c>chart</c>, <c>sqlChart</c> or <c>dashboard</c>.</summary>
    public required string ResourceType { get; init; }

    /// <summary>What it delivers.</summary>
    public required Guid ResourceUuid { get; init; }

    /// <summary>Its cron expression.</summary>
    public required string Cron { get; init; }

    /// <summary>The time zone of the cron expression.</summary>
    public required string Timezone { get; init; }

    /// <summary>The file format.</summary>
    public required string Format { get; init; }

    /// <summary>Where it goes (webhook secrets are never shown: <c>hasSecret</c> says whether one is set).</summary>
    public required IReadOnlyList<SchedulerTargetResults> Targets { get; init; }

    /// <summary>False while paused.</summary>
    public required bool Enabled { get; init; }

    /// <summary>When it next runs (UTC), while enabled.</summary>
    public DateTime? NextRunAt { get; init; }

    /// <summary>When it was created (UTC).</summary>
    public required DateTime CreatedAt { get; init; }

    /// <summary>When it was last changed (UTC).</summary>
    public required DateTime UpdatedAt { get; init; }
}

/// <summary>One target, as shown.</summary>
public sealed class SchedulerTargetResults
{
    /// <summary><c>webhook</c>, <c>s3</c> or <c>email</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Webhook URL.</summary>
    public string? Url { get; init; }

    /// <summary>Whether a webhook secret is set.</summary>
    public bool? HasSecret { get; init; }

    /// <summary>S3 prefix.</summary>
    public string? Prefix { get; init; }

    /// <summary>Email recipients.</summary>
    public IReadOnlyList<string>? Recipients { get; init; }
}

/// <summary>One delivery: a run of a scheduled delivery, its files and every attempt to send them.</summary>
public sealed class DeliveryResults
{
    /// <summary>Its id.</summary>
    public required Guid DeliveryUuid { get; init; }

    /// <summary><c>schedule</c> or <c>manual</c> (run now).</summary>
    public required string Trigger { get; init; }

    /// <summary><c>running</c>, <c>delivered</c>, <c>partial</c> (some targets failed) or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Why it failed, or which targets failed.</summary>
    public string? Error { get; init; }

    /// <summary>The files it made.</summary>
    public required IReadOnlyList<DeliveryFile> Files { get; init; }

    /// <summary>Every attempt to send to each target, in order.</summary>
    public required IReadOnlyList<DeliveryAttemptResults> Attempts { get; init; }

    /// <summary>When it started (UTC).</summary>
    public required DateTime StartedAt { get; init; }

    /// <summary>When it finished (UTC).</summary>
    public DateTime? FinishedAt { get; init; }
}

/// <summary>A file of a delivery.</summary>
public sealed class DeliveryFile
{
    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>The query whose result it holds.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>Its key in the results storage.</summary>
    public required string Key { get; init; }

    /// <summary>Rows in it.</summary>
    public required long RowCount { get; init; }

    /// <summary>True when rows were left out (XLSX's sheet limit).</summary>
    public required bool Truncated { get; init; }

    /// <summary>Its size in bytes (decoded).</summary>
    public required long ByteSize { get; init; }
}

/// <summary>One attempt to send a delivery to one target.</summary>
public sealed class DeliveryAttemptResults
{
    /// <summary>The target's position in the scheduler's list (from 0).</summary>
    public required int TargetIndex { get; init; }

    /// <summary>The target's type.</summary>
    public required string TargetType { get; init; }

    /// <summary>The attempt's number (from 1).</summary>
    public required int Attempt { get; init; }

    /// <summary>Whether it succeeded.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>The HTTP status a webhook answered when it accepted the delivery; absent for a failed call.</summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// What went wrong. A failed webhook call says only that it failed: whether the target refused the
    /// connection, never answered or answered an error is in the operator's log, not here, so that
    /// deliveries cannot be used to probe addresses.
    /// </summary>
    public string? Error { get; init; }

    /// <summary>How long it took; absent for a failed webhook call (its time would tell about the target).</summary>
    public long? DurationMs { get; init; }

    /// <summary>When it was made (UTC).</summary>
    public required DateTime AttemptedAt { get; init; }
}

/// <summary>A delivery that was started.</summary>
public sealed class DeliveryStarted
{
    /// <summary>The delivery's id: see it in <c>GET .../logs</c>.</summary>
    public required Guid DeliveryUuid { get; init; }
}
