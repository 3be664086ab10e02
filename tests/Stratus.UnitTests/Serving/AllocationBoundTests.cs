using System.Text;
using Stratus.Core.Errors;
using Stratus.LocalRunner.Demo;
using Stratus.Serving;
using Stratus.Serving.Onnx;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Rows;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation";
}

/// <summary>
/// Memory follows what arrived, never what a body declares. Each hostile body is handled alone (no parallel tests) while
/// the process's allocated bytes are watched: they stay within a small multiple of the body size.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class AllocationBoundTests
{
    /// <summary>A small multiple of the body, plus a fixed allowance for parser buffers and exception objects.</summary>
    private static long Allowance(long bodyBytes) => 16 * bodyBytes + 512 * 1024;

    private static async Task<long> AllocatedDuringAsync(Func<Task> action)
    {
        await action(); // once to warm up JIT and pools, so only the work itself is counted below
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await action();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    [Fact]
    public async Task A_v2_body_declaring_billions_of_elements_is_refused_without_allocating_them()
    {
        using var iris = SampleModels.Load("iris");
        var body = """{"inputs":[{"name":"Features","datatype":"FP32","shape":[500000000,4],"data":[1,2,3,4]}]}""";
        var allocated = await AllocatedDuringAsync(() =>
        {
            using var request = JsonDocument.Parse(body);
            Assert.Equal(ErrorKind.Invalid, Assert.Throws<DomainException>(() => V2RequestParser.Parse(request.RootElement, iris)).Kind);
            return Task.CompletedTask;
        });

        Assert.True(allocated < Allowance(body.Length), $"{allocated} bytes allocated for a {body.Length}-byte body");
    }

    [Fact]
    public async Task A_binary_v2_body_declaring_more_than_its_bytes_is_refused_without_allocating_the_declared_size()
    {
        using var iris = SampleModels.Load("iris");
        var header = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"Features","datatype":"FP32","shape":[400000000,4],"parameters":{"binary_data_size":16}}]}""");
        var allocated = await AllocatedDuringAsync(() =>
        {
            using var request = JsonDocument.Parse(header);
            Assert.Equal(ErrorKind.Invalid, Assert.Throws<DomainException>(() => V2RequestParser.Parse(request.RootElement, iris, binary: new byte[16])).Kind);
            return Task.CompletedTask;
        });

        Assert.True(allocated < Allowance(header.Length + 16), $"{allocated} bytes allocated for a {header.Length + 16}-byte body");
    }

    [Fact]
    public async Task Ten_thousand_empty_rows_for_a_wide_model_are_refused_before_rows_times_width_is_allocated()
    {
        var record = SampleModels.Record("wide", OnnxBatchDimension.MakeSymbolic(await File.ReadAllBytesAsync(ResNetDemo.ModelPath)));
        var layout = new InputLayout(record); // 150,528 values per row: 10,000 rows would be 6 GB of floats
        var body = "{\"instances\":[" + string.Join(',', Enumerable.Repeat("[]", 10_000)) + "]}";
        var allocated = await AllocatedDuringAsync(() =>
        {
            using var request = JsonDocument.Parse(body);
            var error = Assert.Throws<DomainException>(() => RowBinder.Bind(request.RootElement.GetProperty("instances"), layout, null, 10_000));
            Assert.Contains("instances[0] has 0 values", error.Detail);
            return Task.CompletedTask;
        });

        Assert.True(allocated < Allowance(body.Length), $"{allocated} bytes allocated for a {body.Length}-byte body");
    }

    [Fact]
    public async Task A_declared_content_length_reserves_nothing_before_the_bytes_arrive()
    {
        var sent = new byte[100];
        var allocated = await AllocatedDuringAsync(async () =>
        {
            var read = await JsonBody.ReadBytesAsync(new MemoryStream(sent), contentLength: 64L * 1024 * 1024, maxBytes: 64L * 1024 * 1024, CancellationToken.None);
            Assert.Equal(sent.Length, read.Length);
        });

        Assert.True(allocated < Allowance(sent.Length), $"{allocated} bytes allocated for a {sent.Length}-byte body declared as 64 MB");
    }

    [Fact]
    public async Task A_body_of_undeclared_length_is_cut_off_at_the_limit()
    {
        const long Limit = 64 * 1024;
        var endless = new MemoryStream(Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("1", 1_000_000)) + "]"));
        var allocated = await AllocatedDuringAsync(async () =>
        {
            endless.Position = 0;
            var error = await Assert.ThrowsAsync<DomainException>(() => JsonBody.ParseAsync(endless, contentLength: null, Limit, CancellationToken.None));
            Assert.Equal(ErrorKind.TooLarge, error.Kind);
        });

        Assert.True(allocated < Allowance(Limit), $"{allocated} bytes allocated reading a 2 MB body against a {Limit}-byte limit");
    }
}
