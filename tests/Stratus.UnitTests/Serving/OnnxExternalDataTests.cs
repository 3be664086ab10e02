using Stratus.Core.Errors;
using Stratus.Serving.Onnx;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>Uploaded models must be self-contained: external data anywhere in the graph is refused before ONNX Runtime opens it.</summary>
public sealed class OnnxExternalDataTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("stratus-external-");

    /// <summary>A protobuf field: tag, then (for length-delimited fields) the length and the payload.</summary>
    private static byte[] Field(int number, byte[] payload) => [.. Varint(((ulong)number << 3) | 2), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Field(int number, ulong value) => [.. Varint((ulong)number << 3), .. Varint(value)];

    private static byte[] Text(int number, string value) => Field(number, System.Text.Encoding.UTF8.GetBytes(value));

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);

        return [.. bytes];
    }

    /// <summary>A float tensor whose data lives in "../secret.bin" (TensorProto: dims 1, data_type 2, name 8, external_data 13, data_location 14).</summary>
    private static byte[] ExternalTensor(string name) =>
    [
        .. Field(1, 4UL), .. Field(2, 1UL), .. Text(8, name),
        .. Field(13, [.. Text(1, "location"), .. Text(2, "../secret.bin")]),
        .. Field(14, 1UL),
    ];

    /// <summary>The iris model with <paramref name="graph"/> appended as a second graph field, which protobuf merges into the first.</summary>
    private string Model(byte[] graph)
    {
        var path = Path.Combine(_directory.FullName, Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllBytes(path, [.. File.ReadAllBytes(TestPaths.SampleModel("iris")), .. Field(7, graph)]);
        return path;
    }

    [Fact]
    public void A_self_contained_model_has_no_external_tensor() =>
        Assert.Null(OnnxExternalData.FindExternalTensor(TestPaths.SampleModel("iris")));

    [Fact]
    public void An_initializer_with_external_data_is_found_by_name() =>
        Assert.Equal("w_ext", OnnxExternalData.FindExternalTensor(Model(Field(5, ExternalTensor("w_ext")))));

    [Fact]
    public void An_external_tensor_in_a_sparse_initializer_is_found() =>
        Assert.Equal("values", OnnxExternalData.FindExternalTensor(Model(Field(15, Field(1, ExternalTensor("values"))))));

    [Fact]
    public void An_external_tensor_in_a_node_attribute_is_found() =>
        Assert.Equal("const", OnnxExternalData.FindExternalTensor(Model(Field(1, [.. Text(4, "Constant"), .. Field(5, [.. Text(1, "value"), .. Field(5, ExternalTensor("const"))])]))));

    [Fact]
    public void An_external_tensor_in_a_subgraph_of_an_attribute_is_found()
    {
        var subgraph = Field(5, ExternalTensor("deep"));
        var node = Field(1, [.. Text(4, "If"), .. Field(5, [.. Text(1, "then_branch"), .. Field(6, subgraph)])]);
        Assert.Equal("deep", OnnxExternalData.FindExternalTensor(Model(node)));
    }

    [Fact]
    public void The_inspector_refuses_a_model_with_external_data_as_invalid_naming_the_tensor()
    {
        var error = Assert.Throws<DomainException>(() => new OnnxModelInspector().Inspect(Model(Field(5, ExternalTensor("w_ext")))));
        Assert.Equal(ErrorKind.Invalid, error.Kind);
        Assert.Contains("'w_ext'", error.Detail);
    }

    [Fact]
    public void A_truncated_file_is_not_a_well_formed_model()
    {
        var path = Path.Combine(_directory.FullName, "truncated.onnx");
        var bytes = File.ReadAllBytes(TestPaths.SampleModel("iris"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => OnnxExternalData.FindExternalTensor(path));
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
