using System.Text.Json.Nodes;

namespace Lightdash.Net.Backend.Explores;

/// <summary>A project's explores, and what went wrong loading its model files.</summary>
public sealed class ExploreCatalogResults
{
    /// <summary>The explores that loaded, by name.</summary>
    public required IReadOnlyList<ExploreResults> Explores { get; init; }

    /// <summary>Problems that left a model out (naming file, model, field and line).</summary>
    public required IReadOnlyList<ModelProblemResults> Errors { get; init; }

    /// <summary>Keys that were ignored.</summary>
    public required IReadOnlyList<ModelProblemResults> Warnings { get; init; }

    /// <summary>Where the explores come from: <c>deployed</c> (the latest files deployed through the API), <c>folder</c> (the project's configured models folder) or <c>none</c>.</summary>
    public required string Source { get; init; }

    /// <summary>For deployed files: the version loaded.</summary>
    public int? Version { get; init; }
}

/// <summary>An explore: a base model, its joins, and every field a query may use.</summary>
public sealed class ExploreResults
{
    /// <summary>The explore's name (its base model's), used as <c>exploreName</c> in metric queries.</summary>
    public required string Name { get; init; }

    /// <summary>A friendly name.</summary>
    public required string Label { get; init; }

    /// <summary>What it is about.</summary>
    public string? Description { get; init; }

    /// <summary>The model file it comes from.</summary>
    public required string SourceFile { get; init; }

    /// <summary>
    /// What clients show about the explore, as written in the model (keys camelCased): <c>groupLabel</c>,
    /// <c>spotlight</c>, <c>defaultTimeDimension</c> ({field, interval}), <c>primaryKey</c>...; null when none.
    /// </summary>
    public IReadOnlyDictionary<string, JsonNode?>? Presentation { get; init; }

    /// <summary>The base table first, then the joined ones.</summary>
    public required IReadOnlyList<ExploreTableResults> Tables { get; init; }

    /// <summary>Every field.</summary>
    public required IReadOnlyList<ExploreFieldResults> Fields { get; init; }
}

/// <summary>A table of an explore.</summary>
public sealed class ExploreTableResults
{
    /// <summary>Its name in field ids.</summary>
    public required string Name { get; init; }

    /// <summary>A friendly name.</summary>
    public required string Label { get; init; }

    /// <summary>The warehouse relation it reads.</summary>
    public required string SqlFrom { get; init; }

    /// <summary>For joined tables: left, inner, right or full.</summary>
    public string? JoinType { get; init; }

    /// <summary>For joined tables: the declared relationship (one-to-many...), if any.</summary>
    public string? Relationship { get; init; }

    /// <summary>For joined tables: the join's description, if any.</summary>
    public string? Description { get; init; }
}

/// <summary>A field of an explore.</summary>
public sealed class ExploreFieldResults
{
    /// <summary>The field id, <c>{table}_{name}</c>: the key of this field in result rows.</summary>
    public required string Id { get; init; }

    /// <summary>Its name within its table.</summary>
    public required string Name { get; init; }

    /// <summary>Its table.</summary>
    public required string Table { get; init; }

    /// <summary><c>dimension</c> or <c>metric</c>.</summary>
    public required string FieldType { get; init; }

    /// <summary>
    /// Dimensions: string, number, boolean, date, timestamp. Metrics: count, count_distinct, sum,
    /// sum_distinct, average, average_distinct, min, max, median, percentile (aggregates); number,
    /// string, date, timestamp, boolean (over other metrics); percent_of_previous, percent_of_total,
    /// running_total (windows over the grouped result, in the order of the query's sorts).
    /// </summary>
    public required string Type { get; init; }

    /// <summary>A friendly name.</summary>
    public required string Label { get; init; }

    /// <summary>What it means.</summary>
    public string? Description { get; init; }

    /// <summary>Hidden from pickers.</summary>
    public required bool Hidden { get; init; }

    /// <summary>
    /// For interval dimensions: day, week, month, quarter, year, hour, minute, second, millisecond,
    /// year_num, quarter_num, month_num, week_num, day_of_year_num, day_of_month_num,
    /// day_of_week_index, hour_of_day_num, minute_of_hour_num, month_name, day_of_week_name,
    /// quarter_name, or a custom granularity's name from lightdash.config.yml.
    /// </summary>
    public string? TimeInterval { get; init; }

    /// <summary>For interval dimensions: the date or timestamp dimension they are of.</summary>
    public string? BaseDimension { get; init; }

    /// <summary>How values are shown: usd, gbp, eur, percent, km, mi, id, or a spreadsheet format such as <c>#,##0.00%</c> or <c>$#,##0.00</c>.</summary>
    public string? Format { get; init; }

    /// <summary>Decimal places shown, if set.</summary>
    public int? Round { get; init; }

    /// <summary>
    /// What clients show about the field, as written in the model (keys camelCased): <c>groupLabel</c>,
    /// <c>groups</c>, <c>urls</c>, <c>colors</c>, <c>spotlight</c>, <c>defaultTimeDimension</c>,
    /// <c>filterAutocomplete</c>, <c>showUnderlyingValues</c>...; null when none.
    /// </summary>
    public IReadOnlyDictionary<string, JsonNode?>? Presentation { get; init; }
}

/// <summary>A problem in a model file.</summary>
public sealed class ModelProblemResults
{
    /// <summary>The file, relative to the project's models folder.</summary>
    public required string File { get; init; }

    /// <summary>The model, when known.</summary>
    public string? Model { get; init; }

    /// <summary>The field, metric or join, when known.</summary>
    public string? Field { get; init; }

    /// <summary>The line, from 1.</summary>
    public required int Line { get; init; }

    /// <summary>What is wrong.</summary>
    public required string Message { get; init; }
}
