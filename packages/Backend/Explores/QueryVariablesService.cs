using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Common;
using Lightdash.Net.Semantic;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// What a query's SQL may refer to besides fields, for one caller: the request's parameters checked
/// against the project's definitions (unknown names, values outside the options, several values for a
/// single parameter: 400 naming them, before anything is queued; defaults filled in) and the caller's
/// email, id and user attributes. Options taken from a dimension are read from the warehouse, under
/// the caller's row filters, and kept for a few minutes.
/// </summary>
public sealed class QueryVariablesService(
    ExploreRegistry explores,
    UserAttributeStore attributes,
    WarehouseClientFactory warehouses,
    ProjectAccess access,
    TimeProvider clock,
    WarehouseLogins logins,
    ILogger<QueryVariablesService> logger) : IQueryVariables
{
    /// <summary>The most parameters one request sets.</summary>
    public const int MaxParameters = 50;

    /// <summary>The most values one parameter takes.</summary>
    public const int MaxValuesPerParameter = 100;

    /// <summary>The longest parameter value.</summary>
    public const int MaxValueLength = 1000;

    /// <summary>The most options read from a dimension.</summary>
    public const int MaxDimensionOptions = 1000;

    private static readonly TimeSpan OptionsLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan OptionsQueryTimeout = TimeSpan.FromSeconds(30);

    private readonly ExpiringCache<IReadOnlyList<string>> _options = new(OptionsLifetime, 1_000, clock);

    /// <inheritdoc />
    public async Task<(QueryVariables Variables, string? ParametersJson)> ResolveAsync(
        CurrentUser user, Project project, IReadOnlyDictionary<string, JsonElement>? requested, CancellationToken cancellationToken)
    {
        var caller = new QueryUser(user.UserUuid, user.Email, await attributes.ForUserAsync(user.UserUuid, cancellationToken));
        var catalog = await explores.GetAsync(project.ProjectUuid, cancellationToken);
        var definitions = catalog.Parameters ?? new Dictionary<string, ParameterDefinition>();
        requested ??= new Dictionary<string, JsonElement>();
        if (requested.Count > MaxParameters)
        {
            throw new ValidationException($"parameters has {requested.Count} entries; at most {MaxParameters} are accepted.");
        }

        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in requested)
        {
            var definition = definitions.GetValueOrDefault(name)
                ?? throw new ValidationException($"Parameter {name} is not defined in this project (defined: {(definitions.Count == 0 ? "none" : string.Join(", ", definitions.Keys.Order(StringComparer.Ordinal)))}).");
            var given = Values(name, value);
            if (given.Count > 1 && !definition.Multiple)
            {
                throw new ValidationException($"Parameter {name} takes one value, not {given.Count}.");
            }

            if (!definition.AllowCustomValues && (definition.Options is not null || definition.OptionsFromDimension is not null))
            {
                var options = await OptionsAsync(project, catalog, definition, caller, cancellationToken);
                if (given.FirstOrDefault(v => !options.Contains(v, StringComparer.Ordinal)) is { } outside)
                {
                    throw new ValidationException($"Parameter {name} cannot be \"{outside}\": it is not one of its options.");
                }
            }

            values[name] = given;
        }

        foreach (var definition in definitions.Values.Where(d => !values.ContainsKey(d.Name) && d.Default is { Count: > 0 }))
        {
            values[definition.Name] = definition.Default!;
        }

        var json = requested.Count == 0 ? null : JsonSerializer.Serialize(values.Where(v => requested.ContainsKey(v.Key)).ToDictionary(v => v.Key, v => v.Value));
        return (new QueryVariables(values, caller), json);
    }

    /// <summary>The project's parameters with their options (any member); options from a dimension are read under the caller's row filters.</summary>
    public async Task<IReadOnlyList<ProjectParameterResults>> ListAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var caller = new QueryUser(user.UserUuid, user.Email, await attributes.ForUserAsync(user.UserUuid, cancellationToken));
        var catalog = await explores.GetAsync(projectUuid, cancellationToken);
        var results = new List<ProjectParameterResults>();
        foreach (var definition in (catalog.Parameters ?? new Dictionary<string, ParameterDefinition>()).Values.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            IReadOnlyList<string>? options = null;
            try
            {
                options = definition.Options is null && definition.OptionsFromDimension is null ? null : await OptionsAsync(project, catalog, definition, caller, cancellationToken);
            }
            catch (AccessDeniedException)
            {
                // The caller may not see the dimension the options come from: they get none.
                options = [];
            }

            results.Add(new ProjectParameterResults
            {
                Name = definition.Name,
                Label = definition.Label,
                Description = definition.Description,
                Options = options,
                OptionsFromDimension = definition.OptionsFromDimension is { } source ? $"{source.Model}.{source.Dimension}" : null,
                Default = definition.Default,
                Multiple = definition.Multiple,
                AllowCustomValues = definition.AllowCustomValues,
            });
        }

        return results;
    }

    private static List<string> Values(string name, JsonElement value)
    {
        var items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
        if (items.Count is 0 || items.Count > MaxValuesPerParameter)
        {
            throw new ValidationException($"Parameter {name} takes 1 to {MaxValuesPerParameter} values, not {items.Count}.");
        }

        return items.Select(item => item.ValueKind switch
        {
            JsonValueKind.String => item.GetString()!,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => item.GetRawText(),
            _ => throw new ValidationException($"Parameter {name} takes strings, numbers or booleans (or a list of them), not {item.ValueKind}."),
        }).Select(text => text.Length > MaxValueLength
            ? throw new ValidationException($"A value of parameter {name} is {text.Length} characters long; at most {MaxValueLength} are accepted.")
            : text.Contains('\0', StringComparison.Ordinal) ? throw new ValidationException($"A value of parameter {name} holds a NUL character.") : text).ToList();
    }

    private async Task<IReadOnlyList<string>> OptionsAsync(Project project, ExploreCatalog catalog, ParameterDefinition definition, QueryUser caller, CancellationToken cancellationToken)
    {
        if (definition.OptionsFromDimension is not { } source)
        {
            return definition.Options ?? [];
        }

        if (!catalog.Explores.TryGetValue(source.Model, out var explore) || !explore.Fields.ContainsKey(source.FieldId))
        {
            throw new ValidationException($"Parameter {definition.Name} takes its options from {source.Model}.{source.Dimension}, which is not a dimension of an explore of this project.");
        }

        var client = warehouses.GetClient(await logins.ForRequestAsync(project, caller.UserUuid, cancellationToken));
        var query = new MetricQuery(explore.Name, [source.FieldId], [], null, null, [new SortField(source.FieldId, false)], MaxDimensionOptions);
        var sql = new MetricQueryCompiler(client.Dialect).Compile(explore, query, new QueryVariables(new Dictionary<string, IReadOnlyList<string>>(), caller)).Sql;
        // Keyed by the compiled SQL: callers whose row filters differ get their own options.
        var key = $"{project.ProjectUuid:N}\n{WarehouseLogins.LoginOwner(project, caller.UserUuid)}\n{sql}";
        if (_options.TryGet(key, out var cached, out _))
        {
            return [.. definition.Options ?? [], .. cached];
        }

        var tag = WarehouseValues.TagFor(caller.UserUuid, project.ProjectUuid, QueryContext.ParameterOptions);
        var values = (await WarehouseValues.ReadFirstColumnAsync(client, sql, OptionsQueryTimeout, tag, cancellationToken)).Select(WarehouseValues.Text).ToList();
        logger.LogInformation("Project {ProjectUuid}: {Count} options of parameter {Parameter} read from {Field}", project.ProjectUuid, values.Count, definition.Name, source.FieldId);
        _options.Set(key, values);
        return [.. definition.Options ?? [], .. values];
    }
}
