using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Core.Errors;
using Stratus.Serving.Onnx;
using Stratus.Serving.OpenInference;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The Open Inference Protocol's binary tensor extension: a JSON header, then raw little-endian input bytes.</summary>
public sealed class V2BinaryTests : IDisposable
{
    private readonly LoadedModel _iris = SampleModels.Load("iris");

    public void Dispose() => _iris.Dispose();

    private static readonly float[] Rows = [5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f];

    /// <summary>A binary-extension body and its header length, as a client such as Triton's sends it.</summary>
    private static (byte[] Body, string HeaderLength) Binary(float[] values, int declaredBytes, byte[]? extra = null)
    {
        var header = System.Text.Encoding.UTF8.GetBytes(
            "{\"inputs\":[{\"name\":\"Features\",\"datatype\":\"FP32\",\"shape\":[" + (values.Length / 4) + ",4],\"parameters\":{\"binary_data_size\":" + declaredBytes + "}}]}");
        var body = header.Concat(MemoryMarshal.AsBytes(values.AsSpan()).ToArray()).Concat(extra ?? []).ToArray();
        return (body, header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private V2RequestParser.Parsed Parse(byte[] body, string headerLength)
    {
        var (json, binary) = V2Binary.Split(body, headerLength);
        return V2RequestParser.Parse(JsonDocument.Parse(json).RootElement, _iris, binary: binary);
    }

    [Fact]
    public void Binary_inputs_read_the_same_tensors_as_json_inputs()
    {
        var (body, length) = Binary(Rows, Rows.Length * 4);
        var binary = Parse(body, length);
        var json = V2RequestParser.Parse(JsonDocument.Parse($$"""{"inputs":[{"name":"Features","datatype":"FP32","shape":[2,4],"data":[{{string.Join(',', Rows.Select(r => r.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}}]}]}""").RootElement, _iris);

        Assert.Equal(json.Inputs[0].Shape, binary.Inputs[0].Shape);
        Assert.Equal((float[])json.Inputs[0].Data, (float[])binary.Inputs[0].Data);
        Assert.Equal(_iris.Run(json.Inputs)[1].Data.Cast<float>(), _iris.Run(binary.Inputs)[1].Data.Cast<float>());
    }

    [Fact]
    public void Sizes_that_do_not_add_up_are_400s_naming_the_problem()
    {
        var (body, length) = Binary(Rows, Rows.Length * 4 - 4);
        Assert.Contains("need 32", Assert.Throws<DomainException>(() => Parse(body, length)).Detail);

        (body, length) = Binary(Rows, Rows.Length * 4, extra: [1, 2, 3]);
        Assert.Contains("belong to no input", Assert.Throws<DomainException>(() => Parse(body, length)).Detail);

        (body, length) = Binary(Rows, Rows.Length * 4 + 100);
        Assert.Contains("only 32 follow", Assert.Throws<DomainException>(() => Parse(body, length)).Detail);

        Assert.Equal(ErrorKind.Invalid, Assert.Throws<DomainException>(() => V2Binary.Split(body, "-1")).Kind);
        Assert.Equal(ErrorKind.Invalid, Assert.Throws<DomainException>(() => V2Binary.Split(body, (body.Length + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))).Kind);
    }

    [Fact]
    public void Bytes_elements_are_length_prefixed_utf8()
    {
        var parts = new[] { "oslo", "", "zürich" };
        var raw = parts.SelectMany(p =>
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(p);
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(prefix, bytes.Length);
            return prefix.Concat(bytes);
        }).ToArray();
        var data = new string[3];
        V2Binary.Read(raw, data, TensorElementType.String, "city");
        Assert.Equal(parts, data);
        Assert.Equal(ErrorKind.Invalid, Assert.Throws<DomainException>(() => V2Binary.Read(raw.AsSpan(0, raw.Length - 2), new string[3], TensorElementType.String, "city")).Kind);
    }

    [Fact]
    public void Outputs_asked_for_as_binary_follow_the_json_with_their_sizes()
    {
        var request = JsonDocument.Parse("""
            {"inputs":[{"name":"Features","datatype":"FP32","shape":[2,4],"data":[5.1,3.5,1.4,0.2,6.7,3.0,5.2,2.3]}],
             "outputs":[{"name":"PredictedLabel.output"},{"name":"Score.output","parameters":{"binary_data":true}}]}
            """).RootElement;
        var parsed = V2RequestParser.Parse(request, _iris);
        Assert.Equal(["Score.output"], parsed.BinaryOutputs!);
        var outputs = _iris.Run(parsed.Inputs, parsed.RequestedOutputs);
        var result = new V2InferenceResult("iris", 1, "r", outputs, parsed.BinaryOutputs);

        var (json, binary) = result.BinaryParts()!.Value;
        var header = JsonDocument.Parse(json).RootElement.GetProperty("outputs");
        Assert.True(header[0].TryGetProperty("data", out _)); // the label stays JSON
        Assert.False(header[1].TryGetProperty("data", out _));
        var scores = (float[])outputs[1].Data;
        Assert.Equal(scores.Length * 4, header[1].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(scores, MemoryMarshal.Cast<byte, float>(Assert.Single(binary)).ToArray());

        // Request-wide: every output binary; none asked: plain JSON.
        var all = V2RequestParser.Parse(JsonDocument.Parse("""{"inputs":[{"name":"Features","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}],"parameters":{"binary_data_output":true}}""").RootElement, _iris);
        Assert.Equal(_iris.OutputNames.ToHashSet(), all.BinaryOutputs!.ToHashSet());
        Assert.Null(new V2InferenceResult("iris", 1, "r", outputs).BinaryParts());
    }
}
