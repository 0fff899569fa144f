using System.Text.Json.Nodes;
using Lightdash.Net.Common;

namespace Lightdash.Net.Semantic;

/// <summary>Whether a field is a dimension (grouped by) or a metric (aggregated).</summary>
public enum FieldKind
{
    /// <summary>A column or expression rows are grouped by.</summary>
    Dimension,

    /// <summary>An aggregate over rows.</summary>
    Metric,
}

/// <summary>One field of an explore.</summary>
/// <param name="Id">The field id: <c>{table}_{name}</c>, unique in the project.</param>
/// <param name="Name">The field's name within its table (for intervals: <c>{dimension}_{interval}</c>).</param>
/// <param name="Table">The table (model name, or join alias) it belongs to.</param>
/// <param name="Kind">Dimension or metric.</param>
/// <param name="Type">For dimensions: string, number, boolean, date, timestamp; for metrics: the aggregate (count, sum...).</param>
/// <param name="Label">A friendly name.</param>
/// <param name="Description">What it means, or null.</param>
/// <param name="Sql">The templated SQL (<c>${TABLE}</c> for the table, <c>${field}</c> for other fields).</param>
/// <param name="Hidden">Hidden from pickers.</param>
/// <param name="Format">A display format (usd, percent...), or null.</param>
/// <param name="Round">Decimal places to show, or null.</param>
/// <param name="TimeInterval">For interval dimensions: day, week, month, quarter, year; null otherwise.</param>
/// <param name="BaseDimension">For interval dimensions: the date/timestamp dimension they truncate.</param>
/// <param name="Percentile">For percentile metrics: the percentile, 0 to 100.</param>
/// <param name="MetricFilters">For metrics: only rows where these dimensions (of the metric's table) equal one of the values count.</param>
/// <param name="DistinctKeys">For sum_distinct and average_distinct metrics: the dimensions (of the metric's table) whose distinct values each count once.</param>
/// <param name="IntervalSql">For custom granularities: their SQL, with <c>${COLUMN}</c> standing for the base dimension.</param>
/// <param name="Presentation">What clients show and no query depends on: groups, urls, colors, spotlight, default time dimension... (keys camelCased, values as written).</param>
/// <param name="Access">Conditions on the caller's user attributes (the field's and its model's): a caller who fails one does not see the field and may not query it.</param>
public sealed record ExploreField(
    string Id,
    string Name,
    string Table,
    FieldKind Kind,
    string Type,
    string Label,
    string? Description,
    string Sql,
    bool Hidden,
    string? Format,
    int? Round,
    string? TimeInterval = null,
    string? BaseDimension = null,
    int? Percentile = null,
    IReadOnlyList<MetricFilter>? MetricFilters = null,
    IReadOnlyList<string>? DistinctKeys = null,
    string? IntervalSql = null,
    IReadOnlyDictionary<string, JsonNode?>? Presentation = null,
    IReadOnlyList<AttributeRequirement>? Access = null)
{
    /// <summary>A post-calculation metric (percent_of_previous, percent_of_total, running_total): a window over the grouped result.</summary>
    public bool IsPostCalculation => Kind == FieldKind.Metric && MetricTypes.PostCalculation.Contains(Type);

    /// <summary>A metric that aggregates rows (sum, count...), as opposed to one computed from other metrics.</summary>
    public bool IsAggregate => Kind == FieldKind.Metric && MetricTypes.Aggregate.Contains(Type);
}

/// <summary>The metric types Lightdash documents, by how they are computed.</summary>
public static class MetricTypes
{
    /// <summary>Aggregates over the rows of each group; they refer to dimensions.</summary>
    public static readonly IReadOnlySet<string> Aggregate = new HashSet<string>(StringComparer.Ordinal)
    {
        "count", "count_distinct", "sum", "sum_distinct", "average", "average_distinct", "min", "max", "median", "percentile",
    };

    /// <summary>Expressions over other metrics of the same group (no aggregate of their own).</summary>
    public static readonly IReadOnlySet<string> NonAggregate = new HashSet<string>(StringComparer.Ordinal)
    {
        "number", "string", "date", "timestamp", "boolean",
    };

    /// <summary>Windows over the grouped result, in the order of the query's sorts; they refer to other metrics.</summary>
    public static readonly IReadOnlySet<string> PostCalculation = new HashSet<string>(StringComparer.Ordinal)
    {
        "percent_of_previous", "percent_of_total", "running_total",
    };

    /// <summary>Every metric type, in the order they are listed in messages.</summary>
    public static readonly IReadOnlyList<string> All = [.. Aggregate, .. NonAggregate, .. PostCalculation];
}

/// <summary>A metric's own filter: only rows whose dimension equals one of the values count.</summary>
/// <param name="Dimension">A dimension of the metric's table.</param>
/// <param name="Values">The values it may equal (text as written in the model).</param>
public sealed record MetricFilter(string Dimension, IReadOnlyList<string> Values);

/// <summary>A table of an explore: the base model, or a joined one.</summary>
/// <param name="Name">The table's name in field ids (the model name, or the join alias).</param>
/// <param name="Model">The model it comes from.</param>
/// <param name="SqlFrom">The warehouse relation it reads.</param>
/// <param name="Label">A friendly name.</param>
/// <param name="Join">How it is joined, or null for the base table.</param>
/// <param name="Description">For joined tables: the join's description, if any.</param>
public sealed record ExploreTable(string Name, string Model, string SqlFrom, string Label, ExploreJoin? Join, string? Description = null);

/// <summary>How a table is joined to the base table.</summary>
/// <param name="SqlOn">The join condition (templated with <c>${table.field}</c> references).</param>
/// <param name="Type">left, inner, right or full.</param>
/// <param name="Relationship">one-to-one, one-to-many, many-to-one, many-to-many, or null when not declared.</param>
/// <param name="Always">Joined in every query of the explore, even when none of its fields is used (it may filter or repeat rows).</param>
public sealed record ExploreJoin(string SqlOn, string Type, string? Relationship, bool Always = false);

/// <summary>An explore: a base model with its joins and every field a query may use.</summary>
/// <param name="Name">The explore's name (the base model's).</param>
/// <param name="Label">A friendly name.</param>
/// <param name="Description">What it is about.</param>
/// <param name="SourceFile">The file the base model comes from.</param>
/// <param name="Tables">The base table first, then the joined ones.</param>
/// <param name="Fields">Every field, by id.</param>
/// <param name="Presentation">What clients show about the explore: group label, spotlight, default time dimension... (keys camelCased).</param>
/// <param name="ReferenceFields">Fields that other fields' SQL and join conditions may refer to but queries cannot select (a join's <c>fields</c> left them out).</param>
/// <param name="Access">Conditions on the caller's user attributes (the base model's): a caller who fails one does not see the explore.</param>
/// <param name="SqlFilter">The base model's row filter (<c>sql_filter</c>), templated like field SQL: added to every query of the explore.</param>
public sealed record Explore(
    string Name,
    string Label,
    string? Description,
    string SourceFile,
    IReadOnlyList<ExploreTable> Tables,
    IReadOnlyDictionary<string, ExploreField> Fields,
    IReadOnlyDictionary<string, JsonNode?>? Presentation = null,
    IReadOnlyDictionary<string, ExploreField>? ReferenceFields = null,
    IReadOnlyList<AttributeRequirement>? Access = null,
    string? SqlFilter = null);

/// <summary>A problem in a model file: an error (the model is left out) or a warning (ignored keys).</summary>
/// <param name="File">The file, relative to the models folder.</param>
/// <param name="Model">The model, when known.</param>
/// <param name="Field">The field (column, metric or join), when known.</param>
/// <param name="Line">The line in the file, from 1.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ModelProblem(string File, string? Model, string? Field, int Line, string Message)
{
    /// <summary>One line for logs and error messages.</summary>
    public override string ToString() =>
        $"{File}:{Line}{(Model is null ? "" : $" model {Model}")}{(Field is null ? "" : $" field {Field}")}: {Message}";
}

/// <summary>The explores of one project, with the problems found loading them.</summary>
/// <param name="Explores">The explores that loaded, by name.</param>
/// <param name="Errors">Problems that left a model out.</param>
/// <param name="Warnings">Keys that were ignored.</param>
/// <param name="Parameters">The project's parameters by name (<c>name</c> from lightdash.config.yml, <c>model.name</c> from a model).</param>
public sealed record ExploreCatalog(
    IReadOnlyDictionary<string, Explore> Explores,
    IReadOnlyList<ModelProblem> Errors,
    IReadOnlyList<ModelProblem> Warnings,
    IReadOnlyDictionary<string, ParameterDefinition>? Parameters = null)
{
    /// <summary>A project without model files.</summary>
    public static readonly ExploreCatalog Empty = new(new Dictionary<string, Explore>(), [], []);
}

/// <summary>Turns names into labels the way Lightdash does: <c>order_date</c> becomes <c>Order date</c>.</summary>
public static class FriendlyNames
{
    /// <summary>The label for a name.</summary>
    public static string Of(string name)
    {
        var words = name.Replace('_', ' ').Replace('-', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return name;
        }

        var text = string.Join(' ', words).ToLowerInvariant();
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>The shown type of a dimension type name, or null when unknown.</summary>
    public static DimensionType? DimensionTypeOf(string name) => name switch
    {
        "string" => DimensionType.String,
        "number" => DimensionType.Number,
        "boolean" => DimensionType.Boolean,
        "date" => DimensionType.Date,
        "timestamp" => DimensionType.Timestamp,
        _ => null,
    };
}

/// <summary>The time intervals a date or timestamp dimension can be seen at, and the type of each.</summary>
public static class TimeIntervals
{
    /// <summary>The intervals of a date or timestamp dimension that does not list its own.</summary>
    public static readonly IReadOnlyList<string> Default = ["day", "week", "month", "quarter", "year"];

    /// <summary>Every built-in interval (as Lightdash names them, lower-cased) with the type of its values.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltIn = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["millisecond"] = "timestamp", ["second"] = "timestamp", ["minute"] = "timestamp", ["hour"] = "timestamp",
        ["day"] = "date", ["week"] = "date", ["month"] = "date", ["quarter"] = "date", ["year"] = "date",
        ["year_num"] = "number", ["quarter_num"] = "number", ["month_num"] = "number", ["week_num"] = "number",
        ["day_of_year_num"] = "number", ["day_of_month_num"] = "number", ["day_of_week_index"] = "number",
        ["hour_of_day_num"] = "number", ["minute_of_hour_num"] = "number",
        ["month_name"] = "string", ["day_of_week_name"] = "string", ["quarter_name"] = "string",
    };
}

/// <summary>A custom granularity from <c>lightdash.config.yml</c>: a named interval defined by SQL.</summary>
/// <param name="Name">Its name, as listed in a dimension's <c>time_intervals</c>.</param>
/// <param name="Label">A friendly name.</param>
/// <param name="Sql">Its SQL, with <c>${COLUMN}</c> standing for the dimension.</param>
/// <param name="Type">The type of its values: date, timestamp, string or number.</param>
public sealed record CustomGranularity(string Name, string Label, string Sql, string Type);

/// <summary>A parameter a request may set, as defined in lightdash.config.yml or a model.</summary>
/// <param name="Name">Its name in requests and references: <c>region</c>, or <c>orders.region</c> for a model's own.</param>
/// <param name="Label">A friendly name.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Options">The values it may take, when listed.</param>
/// <param name="OptionsFromDimension">The dimension whose distinct values it may take, when given.</param>
/// <param name="Default">Its value when a request does not set it, or null.</param>
/// <param name="Multiple">Whether it takes several values at once.</param>
/// <param name="AllowCustomValues">Whether a value outside the options is accepted.</param>
public sealed record ParameterDefinition(
    string Name,
    string Label,
    string? Description,
    IReadOnlyList<string>? Options,
    DimensionReference? OptionsFromDimension,
    IReadOnlyList<string>? Default,
    bool Multiple,
    bool AllowCustomValues);

/// <summary>A dimension named by model and dimension name.</summary>
/// <param name="Model">The model (an explore of that name is read).</param>
/// <param name="Dimension">The dimension's name in the model.</param>
public sealed record DimensionReference(string Model, string Dimension)
{
    /// <summary>The dimension's field id.</summary>
    public string FieldId => $"{Model}_{Dimension}";
}

