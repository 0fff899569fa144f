using System.ComponentModel.DataAnnotations;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Access;

/// <summary>Projects declared in configuration; created or updated in the metadata database at start-up.</summary>
public sealed class ProjectsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Projects";

    /// <summary>The projects.</summary>
    public List<ProjectDefinition> Items { get; set; } = [];
}

/// <summary>One project and its warehouse connection.</summary>
public sealed class ProjectDefinition
{
    /// <summary>The project's id.</summary>
    [Required]
    public Guid ProjectUuid { get; set; }

    /// <summary>Its name.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>The warehouse type.</summary>
    public WarehouseType WarehouseType { get; set; } = WarehouseType.Postgres;

    /// <summary>The driver's connection string (holds credentials).</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>The folder of the project's model files (*.yml, *.yaml), relative to the app's content root or absolute; none when empty.</summary>
    public string? ModelsPath { get; set; }

    /// <summary>How long this project's results are kept and reused; empty for <see cref="QueryExecutionOptions.ResultsTtl"/>.</summary>
    public TimeSpan? ResultsCacheTtl { get; set; }

    /// <summary>The longest this project's warehouse statements may run; empty for <see cref="QueryExecutionOptions.StatementTimeout"/>.</summary>
    public TimeSpan? StatementTimeout { get; set; }

    /// <summary>Cancel this project's queries that nobody reads for this long (unless a request sets its own); empty for never.</summary>
    public TimeSpan? CancelIfUnread { get; set; }

    /// <summary>The most statements this project's queries hold open on its warehouse at once, across every instance; empty for <c>QueryExecution:MaxWarehouseStatementsPerProject</c>.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int? MaxWarehouseStatements { get; set; }

    /// <summary>The most queries this project accepts a minute from everyone; empty for <c>QueryExecution:MaxSubmissionsPerMinutePerProject</c>.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int? MaxSubmissionsPerMinute { get; set; }

    /// <summary>The most queries this project accepts a minute from one user; empty for <c>QueryExecution:MaxSubmissionsPerMinutePerUser</c>.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int? MaxSubmissionsPerMinutePerUser { get; set; }

    /// <summary>
    /// Run each user's statements with that user's own warehouse login (saved at
    /// <c>PUT /api/v1/projects/{projectUuid}/user-credentials</c>), never with the connection string's
    /// login: users then cannot see or cancel each other's statements. PostgreSQL projects only.
    /// </summary>
    public bool RequireUserCredentials { get; set; }
}
