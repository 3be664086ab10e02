using Stratus.Core.Datasets;
using Stratus.Core.Errors;
using Stratus.Training.Datasets;

namespace Stratus.Tests.Unit;

public sealed class CsvProfilerTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    private CsvProfiler.Profile Profile(string csv)
    {
        File.WriteAllText(_path, csv);
        return CsvProfiler.ReadAsync(_path, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public void Infers_rows_and_column_types()
    {
        var profile = Profile("age,city,score\n31,\"Oslo, NO\",1.5\n,Paris,2e3\n\n45,Rome,-0.25\n");
        Assert.Equal(3, profile.Rows);
        Assert.Equal(
            [
                new DatasetColumn("age", "number") { Values = ["31", "45"], Missing = 1 },
                new DatasetColumn("city", "string") { Values = ["Oslo, NO", "Paris", "Rome"] },
                new DatasetColumn("score", "number") { Values = ["-0.25", "1.5", "2e3"] },
            ],
            profile.Columns);
    }

    [Fact]
    public async Task Lists_the_values_of_low_cardinality_columns_only()
    {
        var cancer = await CsvProfiler.ReadAsync(Path.Combine(Fixtures.TestPaths.Root, "samples", "data", "breast_cancer.csv"), CancellationToken.None);
        Assert.Equal(["0", "1"], cancer.Columns.Single(c => c.Name == "label").Values);
        Assert.Null(cancer.Columns.Single(c => c.Name == "mean_radius").Values); // hundreds of distinct values
    }

    [Fact]
    public void Long_values_are_not_listed_and_the_listing_has_a_budget()
    {
        var longValue = new string('x', DatasetColumn.MaxListedValueLength + 1);
        var profile = Profile($"short,long\na,{longValue}\nb,y\n");
        Assert.Equal(["a", "b"], profile.Columns[0].Values);
        Assert.Null(profile.Columns[1].Values);

        // Many low-cardinality columns of 60-character values: the later ones list nothing once the budget is spent.
        var columns = 200;
        var header = string.Join(',', Enumerable.Range(0, columns).Select(c => $"c{c}"));
        var rows = Enumerable.Range(0, 20).Select(r => string.Join(',', Enumerable.Range(0, columns).Select(c => $"{r:D2}{new string('v', 58)}")));
        var wide = Profile(header + "\n" + string.Join("\n", rows) + "\n");
        Assert.NotNull(wide.Columns[0].Values);
        Assert.Null(wide.Columns[^1].Values);
        Assert.True(wide.Columns.Where(c => c.Values is not null).Sum(c => c.Values!.Sum(v => v.Length + 3)) <= CsvProfiler.MaxListedCharacters);
    }

    [Fact]
    public async Task Profiles_the_shipped_datasets()
    {
        var iris = await CsvProfiler.ReadAsync(Path.Combine(Fixtures.TestPaths.Root, "samples", "data", "iris.csv"), CancellationToken.None);
        Assert.Equal(150, iris.Rows);
        Assert.Equal(5, iris.Columns.Count);
        Assert.All(iris.Columns, c => Assert.Equal("number", c.Type));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a,b\n", "no data rows")]
    [InlineData("a,b\n1,2\n3,4,5\n", "line 3: expected 2 fields")]
    [InlineData("a,b\n1,2\n3\n", "line 3: expected 2 fields")]
    [InlineData("1,2\n3,4\n", "header")]
    [InlineData("a,a\n1,2\n", "appears twice")]
    [InlineData("a,,c\n1,2,3\n", "column 2 has no name")]
    [InlineData("a,b\n1,\"unterminated\n", "line")]
    public void Rejects_malformed_files_naming_the_line(string csv, string expected)
    {
        var problem = Assert.Throws<DomainException>(() => Profile(csv));
        Assert.Equal(ErrorKind.Invalid, problem.Kind);
        Assert.Contains(expected, problem.Detail);
    }

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Too_many_columns_or_an_over_long_field_is_refused_naming_the_line()
    {
        var wide = string.Join(',', Enumerable.Range(0, CsvProfiler.MaxColumns + 1).Select(i => $"c{i}")) + "\n" + string.Join(',', Enumerable.Repeat("1", CsvProfiler.MaxColumns + 1)) + "\n";
        Assert.Contains("line 1", Assert.Throws<DomainException>(() => Profile(wide)).Detail);

        var longField = "a,b\n1," + new string('x', CsvProfiler.MaxFieldLength + 1) + "\n";
        Assert.Contains("line 2", Assert.Throws<DomainException>(() => Profile(longField)).Detail);
    }
}
