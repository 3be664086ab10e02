using Stratus.Core.Models;
using Stratus.Serving.Onnx;
using Stratus.Registry;

namespace Stratus.LocalRunner.Demo;

/// <summary>
/// The GPU-tier demo: ImageNet-pretrained ResNet18 as shipped by the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 (0.23.1), an image embedding model: float32 [N,3,224,224] in
/// (normalized RGB), a 512-value embedding [N,512,1,1] out. The package fixes the batch dimension at 1; the
/// registered copy has it symbolic so the tier can batch it.
/// </summary>
public static class ResNetDemo
{
    public const string Name = "resnet18";

    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    public static ModelCardUpdate Card => new()
    {
        Name = Name,
        Description = "Demo: ImageNet-pretrained ResNet18 image embeddings (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, batch dimension made symbolic). " +
            "Input 'Input247' float32 [N,3,224,224], RGB scaled to 0..1 then normalized with ImageNet mean/std; output 'Pooling395_Output_0' [N,512,1,1].",
        Task = ModelTask.Other,
        Tier = ServingTier.Gpu,
        BusinessObjective = "Find visually similar products for recommendations",
        BusinessMetric = "click-through on similar-item recommendations",
    };

    /// <summary>Registers the batchable copy as a new version and makes it champion.</summary>
    public static async Task<ModelVersion> RegisterAsync(ModelManagementService models, CancellationToken cancellationToken)
    {
        var batchable = OnnxBatchDimension.MakeSymbolic(await File.ReadAllBytesAsync(ModelPath, cancellationToken));
        await models.UpsertCardAsync(Name, Card, ifMatch: null, cancellationToken);
        using var body = new MemoryStream(batchable, writable: false);
        var version = await models.UploadVersionAsync(Name, body, batchable.Length, new Lineage { Source = Lineage.UploadSource }, cancellationToken);
        await models.SetAliasAsync(Name, Aliases.Champion, version.Version, ifMatch: null, cancellationToken);
        return version;
    }
}
