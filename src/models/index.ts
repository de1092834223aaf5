/** The reference's generators and discriminators (pix2pix / CycleGAN), with its state_dict layout. */
export * from './norm.js';
export * from './unet.js';
export * from './resnet.js';
export * from './discriminators.js';
export * from './networks.js';
export * from './any-size.js';
