"""The autograd pages' computations: perceptron gradients, the chain rule, tensors to lists."""
