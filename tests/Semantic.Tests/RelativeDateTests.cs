using System.Globalization;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Semantic.Tests;

/// <summary>
/// Relative-date filters with a row on each boundary, on PostgreSQL and DuckDB: a date dimension is
/// compared in whole dates (the boundary day is in), a timestamp dimension to the instant.
/// Rows are placed around the current UTC date and time when the fixture starts.
/// </summary>
[TestFixture("postgres")]
[TestFixture("duckdb")]
[Category(TestCategories.Integration)]
public class RelativeDateTests(string warehouse) : WarehouseShop(warehouse, Data, [("shop.yml", Models)])
{
    private const string Models = """
        models:
          - name: events
            meta:
              metrics:
                event_count: {type: count}
            columns:
              - name: id
                meta: {dimension: {type: number}}
              - name: day
                meta: {dimension: {type: date}}
              - name: happened_at
                meta: {dimension: {type: timestamp}}
        """;

    private static readonly DateTime Now = DateTime.UtcNow;
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now);

    // Days from today of the date rows (id = 100 + offset + 1000), and minutes from now of the timestamp rows.
    private static readonly int[] DayOffsets = [-224, -223, -1, 0, 1, 7, 8];
    private static readonly double[] MinuteOffsets = [(-223 * 24 * 60) - 1, (-223 * 24 * 60) + 1, -1, 60, (24 * 60) - 1, (24 * 60) + 1];

    private static readonly string Data = BuildData();

    private static string BuildData()
    {
        var rows = DayOffsets.Select(d => $"({1000 + d}, DATE '{Today.AddDays(d):yyyy-MM-dd}', NULL)")
            .Concat(MinuteOffsets.Select((m, i) => $"({i + 1}, NULL, TIMESTAMP '{Now.AddMinutes(m).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}')"));
        return $"create table events (id integer, day date, happened_at timestamp);\ninsert into events values {string.Join(", ", rows)};";
    }

    private async Task<int[]> IdsAsync(string field, string op, int count, string unit, bool completed = false)
    {
        var rule = new FilterRule(field, op, op is "inTheCurrent" or "notInTheCurrent" ? [] : [new FilterValue(count.ToString(CultureInfo.InvariantCulture), false)], unit, completed);
        var query = new MetricQuery("events", ["events_id"], [], new FilterGroup("and", [rule]), null, [new SortField("events_id", false)], 500);
        var rows = await RunAsync(query, "events");
        return [.. rows.Select(r => r.GetProperty("events_id").GetInt32())];
    }

    private static int[] Days(params int[] offsets) => [.. offsets.Select(d => 1000 + d).Order()];

    [Test]
    public async Task DateInThePast_IncludesTheBoundaryDayAndToday()
    {
        Assert.That(await IdsAsync("events_day", "inThePast", 223, "days"), Is.EqualTo(Days(-223, -1, 0)));
    }

    [Test]
    public async Task DateInThePastCompleted_StopsBeforeToday()
    {
        Assert.That(await IdsAsync("events_day", "inThePast", 223, "days", completed: true), Is.EqualTo(Days(-223, -1)));
    }

    [Test]
    public async Task DateNotInThePast_IsTheRest()
    {
        Assert.That(await IdsAsync("events_day", "notInThePast", 223, "days"), Is.SupersetOf(Days(-224, 1, 7, 8)).And.Not.SupersetOf(Days(-223)));
    }

    [Test]
    public async Task DateInTheNext_IncludesTodayAndTheLastDay()
    {
        Assert.That(await IdsAsync("events_day", "inTheNext", 7, "days"), Is.EqualTo(Days(0, 1, 7)));
    }

    [Test]
    public async Task DateInTheNextCompleted_StartsTomorrow()
    {
        Assert.That(await IdsAsync("events_day", "inTheNext", 7, "days", completed: true), Is.EqualTo(Days(1, 7)));
    }

    [Test]
    public async Task DateInTheCurrentDayAndWeek()
    {
        var weekStart = Today.AddDays(-(((int)Today.DayOfWeek + 6) % 7)); // Monday, as DATE_TRUNC('week') counts
        var inWeek = DayOffsets.Where(d => Today.AddDays(d) >= weekStart && Today.AddDays(d) < weekStart.AddDays(7)).ToArray();

        Assert.That(await IdsAsync("events_day", "inTheCurrent", 0, "days"), Is.EqualTo(Days(0)));
        Assert.That(await IdsAsync("events_day", "inTheCurrent", 0, "weeks"), Is.EqualTo(Days(inWeek)));
    }

    [Test]
    public async Task TimestampInThePast_IsToTheMinute()
    {
        // Rows: 1 just outside 223 days back, 2 just inside, 3 a minute ago, 4-6 in the future.
        Assert.That(await IdsAsync("events_happened_at", "inThePast", 223, "days"), Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public async Task TimestampInTheNext_IsToTheMinute()
    {
        Assert.That(await IdsAsync("events_happened_at", "inTheNext", 1, "days"), Is.EqualTo(new[] { 4, 5 }));
    }
}
