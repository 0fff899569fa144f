namespace Lightdash.Net.Backend.Explores;

/// <summary>A user attribute as organisation admins define it (Lightdash's shape).</summary>
public sealed class SaveUserAttributeRequest
{
    /// <summary>Its name in model SQL (<c>${ld.attr.name}</c>) and access rules: lower-case letters, digits and _, at most 64 characters.</summary>
    public string? Name { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>The value of users without their own, or null (then they have none).</summary>
    public string? AttributeDefault { get; init; }

    /// <summary>Each user's value (saving replaces the whole list).</summary>
    public IReadOnlyList<UserAttributeValueBody>? Users { get; init; }
}

/// <summary>One user's value of an attribute.</summary>
public sealed class UserAttributeValueBody
{
    /// <summary>The user.</summary>
    public Guid? UserUuid { get; init; }

    /// <summary>Their value (at most 1024 characters).</summary>
    public string? Value { get; init; }
}

/// <summary>A user attribute with every user's value.</summary>
public sealed class UserAttributeResults
{
    /// <summary>Its id.</summary>
    public required Guid Uuid { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>The value of users without their own.</summary>
    public string? AttributeDefault { get; init; }

    /// <summary>Each user's own value.</summary>
    public required IReadOnlyList<UserAttributeValueResults> Users { get; init; }
}

/// <summary>One user's value of an attribute.</summary>
public sealed class UserAttributeValueResults
{
    /// <summary>The user.</summary>
    public required Guid UserUuid { get; init; }

    /// <summary>Their value.</summary>
    public required string Value { get; init; }
}

/// <summary>A parameter of a project, as requests set it in <c>parameters</c>.</summary>
public sealed class ProjectParameterResults
{
    /// <summary>Its name: <c>region</c> (lightdash.config.yml) or <c>orders.region</c> (a model's own); model SQL refers to it as <c>${lightdash.parameters.name}</c>.</summary>
    public required string Name { get; init; }

    /// <summary>A friendly name.</summary>
    public required string Label { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>The values it may take (listed ones, then those read from <c>optionsFromDimension</c>), or null when any value goes.</summary>
    public IReadOnlyList<string>? Options { get; init; }

    /// <summary>The dimension (<c>model.dimension</c>) whose values are options, if any.</summary>
    public string? OptionsFromDimension { get; init; }

    /// <summary>Its value when a request does not set it.</summary>
    public IReadOnlyList<string>? Default { get; init; }

    /// <summary>Whether it takes several values (a JSON array).</summary>
    public required bool Multiple { get; init; }

    /// <summary>Whether values outside the options are accepted.</summary>
    public required bool AllowCustomValues { get; init; }
}
