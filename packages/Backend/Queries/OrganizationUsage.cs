namespace Lightdash.Net.Backend.Queries;

/// <summary>What each project and each user is using now: queries executing and waiting, submissions in the last minute, and the limits that apply.</summary>
public sealed class OrganizationUsageResults
{
    /// <summary>Projects with queries executing, waiting or submitted in the last minute, by name.</summary>
    public required IReadOnlyList<ProjectUsageResults> Projects { get; init; }

    /// <summary>Users with queries executing, waiting or submitted in the last minute, by email.</summary>
    public required IReadOnlyList<UserUsageResults> Users { get; init; }
}

/// <summary>One project's use.</summary>
public sealed class ProjectUsageResults
{
    /// <summary>The project.</summary>
    public required Guid ProjectUuid { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Statements its queries hold open on its warehouse now (every instance).</summary>
    public required long Executing { get; init; }

    /// <summary>Its queries waiting for a worker.</summary>
    public required long Queued { get; init; }

    /// <summary>Queries submitted to it in the last minute.</summary>
    public required long SubmittedLastMinute { get; init; }

    /// <summary>The most statements it may hold open on its warehouse (its own cap or the default).</summary>
    public required int MaxWarehouseStatements { get; init; }

    /// <summary>The most queries it accepts a minute (its own limit or the default).</summary>
    public required int MaxSubmissionsPerMinute { get; init; }
}

/// <summary>One user's use, across projects.</summary>
public sealed class UserUsageResults
{
    /// <summary>The user.</summary>
    public required Guid UserUuid { get; init; }

    /// <summary>Their email.</summary>
    public required string Email { get; init; }

    /// <summary>Their queries executing now (every instance).</summary>
    public required long Executing { get; init; }

    /// <summary>Their queries waiting for a worker.</summary>
    public required long Queued { get; init; }

    /// <summary>Queries they submitted in the last minute (all projects).</summary>
    public required long SubmittedLastMinute { get; init; }

    /// <summary>The most queries they may have executing at once (<c>Auth:MaxExecutingQueriesPerUser</c>).</summary>
    public required int MaxExecuting { get; init; }
}
