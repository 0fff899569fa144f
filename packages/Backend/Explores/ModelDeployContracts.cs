namespace Lightdash.Net.Backend.Explores;

/// <summary>A project's model files, deployed as its next version.</summary>
public sealed class DeployModelsRequest
{
    /// <summary>
    /// Every file of the project (the deploy replaces the previous version whole): model YAML
    /// (<c>.yml</c>, <c>.yaml</c>), <c>lightdash.config.yml</c> and <c>.md</c> doc blocks, with paths
    /// relative to the project's root (no <c>..</c>, no leading <c>/</c>). At most 2000 files.
    /// </summary>
    public IReadOnlyList<ModelFileBody>? Files { get; init; }

    /// <summary>Deploy even when models have errors (those models are left out); by default a deploy with errors is refused with them listed.</summary>
    public bool IgnoreErrors { get; init; }
}

/// <summary>One file of a deploy.</summary>
public sealed class ModelFileBody
{
    /// <summary>Its path relative to the project's root, such as <c>models/orders.yml</c>.</summary>
    public string? Path { get; init; }

    /// <summary>Its text.</summary>
    public string? Content { get; init; }
}

/// <summary>One deployed version of a project's model files.</summary>
public sealed class ModelVersionResults
{
    /// <summary>Its number, from 1 (the highest is what the project's explores load from).</summary>
    public required int Version { get; init; }

    /// <summary>How many explores its files loaded into.</summary>
    public required int ExploreCount { get; init; }

    /// <summary>How many model errors they had (those models are left out).</summary>
    public required int ErrorCount { get; init; }

    /// <summary>How many warnings (ignored keys).</summary>
    public required int WarningCount { get; init; }

    /// <summary>Who deployed it.</summary>
    public Guid? DeployedByUserUuid { get; init; }

    /// <summary>When it was deployed.</summary>
    public required DateTime DeployedAt { get; init; }
}

/// <summary>A deploy's outcome: the version stored and the explores it loads into.</summary>
public sealed class DeployModelsResults
{
    /// <summary>The new version.</summary>
    public required ModelVersionResults Version { get; init; }

    /// <summary>The explores and problems of the deployed files, as every instance now serves them.</summary>
    public required ExploreCatalogResults Catalog { get; init; }
}

/// <summary>The files of one deployed version.</summary>
public sealed class ModelVersionFilesResults
{
    /// <summary>The version.</summary>
    public required int Version { get; init; }

    /// <summary>Its files, as deployed.</summary>
    public required IReadOnlyList<ModelFileResults> Files { get; init; }
}

/// <summary>One deployed file.</summary>
public sealed class ModelFileResults
{
    /// <summary>Its path relative to the project's root.</summary>
    public required string Path { get; init; }

    /// <summary>Its text.</summary>
    public required string Content { get; init; }
}
